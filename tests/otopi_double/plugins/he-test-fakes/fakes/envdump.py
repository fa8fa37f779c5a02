"""HE_FAKES_ENV_DUMP=/path: write the final environment as JSON, for runs of the real otopi.

The double writes such a dump itself; the real otopi does not, so the fakes group does, at
the end of STAGE_TERMINATE (before otopi closes its log). Values JSON cannot hold are left out.
"""

import json
import os

from otopi import plugin, util

DUMP = 'HE_FAKES_ENV_DUMP'


def _jsonable(environment):
    result = {}
    for key, value in environment.items():
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            continue
        result[key] = value
    return result


@util.export
class Plugin(plugin.PluginBase):

    @plugin.event(
        stage=plugin.Stages.STAGE_TERMINATE,
        priority=plugin.Stages.PRIORITY_LAST + 100,
        condition=lambda self: bool(os.environ.get(DUMP)),
    )
    def _dump(self):
        path = os.environ[DUMP]
        with open(path + '.tmp', 'w') as f:
            json.dump({'environment': _jsonable(self.environment)}, f, indent=1,
                      sort_keys=True)
        os.rename(path + '.tmp', path)
