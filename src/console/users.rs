//! Console users: create, list, disable, change role, reset password (one-time setup
//! links). Used by the CLI (`blackbelt users …`) and the administration pages.
