"""People's names as Chinese readers write them: family name first.

Django's ``User.get_full_name`` gives "first last" with a space, so a buyer registered as family name
郑, given name 老师 showed as "老师 郑" on every page that names a person (Oscar's dashboard, order
e-mails, the admin). A name written in Chinese characters reads family name first with no space
(郑老师, 王小明); a name in Latin letters keeps its own order (Anna Li).
"""

from __future__ import annotations

import re

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def full_name(given: str, family: str) -> str:
    given, family = (given or "").strip(), (family or "").strip()
    if _HAN.search(given + family):
        return f"{family}{given}"
    return f"{given} {family}".strip()


def user_full_name(user) -> str:
    """What ``User.get_full_name`` returns here (see ``core.apps``)."""
    return full_name(user.first_name, user.last_name)
