raise RuntimeError("plain .py files in a group dir are ignored")
