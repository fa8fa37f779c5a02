"""createPlugins raises: plugin loading fails (exit 2)."""


def createPlugins(context):
    raise RuntimeError('dt createPlugins exploded')
