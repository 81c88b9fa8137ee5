"""Who is who: password hashing, the login throttle and join codes (see docs/identity.md)."""
