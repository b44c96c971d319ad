"""Settings: `base` reads everything from the environment; `dev`, `test`, `prod` overlay it."""
