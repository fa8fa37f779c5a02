VALUE = "from-helper"
