"""Password hashing: Argon2id at the parameters OWASP recommends, cheaper than Django's default.

Django's PBKDF2 default (over a million SHA-256 rounds) costs about 0.9 s of CPU per log-in
on these 2-core machines, so a handful of people logging in at once stalls every other
request. OWASP's Password Storage Cheat Sheet recommends Argon2id with at least 19 MiB of
memory, 2 iterations and 1 degree of parallelism: memory-hard, so it resists GPU cracking
better than PBKDF2 does, at a few tens of milliseconds per log-in. Hashes made with the other
hashers in PASSWORD_HASHERS still verify and are upgraded to this one at the next log-in.
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    """Argon2id, m = 19 MiB, t = 2, p = 1 (OWASP's first recommended configuration)."""

    algorithm = "argon2id-owasp"
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
