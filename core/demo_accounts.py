"""One demo account per role, so each part of the platform can be tried at once. Local use only.

``seed(command)`` creates them (``manage.py seed_demo`` calls it after the catalogue, since the
cooperative user belongs to a demo partner); ``report(command)`` prints them with their password and
where each signs in. The groups are created here when missing, empty: the room that owns a role gives
its group permissions (suppliers → "Cooperative users", channels → "Channel managers", cms →
"Marketing editors"). With ``DEMO_ACCOUNTS_ENABLED`` off (the production default) nothing is created,
because these passwords are printed for anyone to read.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.urls import reverse
from oscar.core.loading import get_model

Partner = get_model("partner", "Partner")

DEMO_PASSWORD = "shiyan-demo"  # noqa: S105  (printed on purpose: demo accounts, local use only)

COOPERATIVE_USERS = "Cooperative users"
CHANNEL_MANAGERS = "Channel managers"
MARKETING_EDITORS = "Marketing editors"


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    last_name: str
    first_name: str
    sign_in: tuple[str, ...]  # URL names, reversed when printed
    groups: tuple[str, ...] = ()
    partner_code: str = ""  # an Oscar partner user of this partner
    is_staff: bool = False
    is_superuser: bool = False


ACCOUNTS = (
    DemoAccount("Beijing buyer", "buyer@demo.shiyan.example", "王", "丽", ("customer:login",)),
    DemoAccount(
        "Cooperative user",
        "coop@demo.shiyan.example",
        "陈",
        "社长",
        ("portal:home",),
        groups=(COOPERATIVE_USERS,),
        partner_code="fangxian-mushroom-coop",
    ),
    # channels.demo assigns the manager to all four channels.
    DemoAccount(
        "Channel manager",
        "channel@demo.shiyan.example",
        "刘",
        "经理",
        ("channels:desk",),
        groups=(CHANNEL_MANAGERS,),
    ),
    # One administrator per demo organisation (channels.demo binds each to its organisation).
    DemoAccount(
        "Supermarket chain member", "supermarket@demo.shiyan.example", "周", "采购", ("channels:org",)
    ),
    DemoAccount("Company canteen member", "enterprise@demo.shiyan.example", "吴", "主管", ("channels:org",)),
    DemoAccount(
        "School member (two campuses)", "school@demo.shiyan.example", "郑", "老师", ("channels:org",)
    ),
    DemoAccount("Restaurant member", "restaurant@demo.shiyan.example", "冯", "厨师长", ("channels:org",)),
    DemoAccount(
        "Marketing editor",
        "editor@demo.shiyan.example",
        "赵",
        "编辑",
        ("wagtailadmin_home",),
        groups=(MARKETING_EDITORS,),
    ),
    # Platform staff approve suppliers, run recalls and report impact across every room, so the
    # demo gives them every permission rather than chase each room's list.
    DemoAccount(
        "Platform staff",
        "staff@demo.shiyan.example",
        "孙",
        "运营",
        ("dashboard:index", "wagtailadmin_home"),
        is_staff=True,
        is_superuser=True,
    ),
)


def seed(command) -> None:
    """Create the demo accounts that are missing and put each in its groups; reset nothing else."""
    if not settings.DEMO_ACCOUNTS_ENABLED:
        command.stdout.write("  accounts: skipped (DEMO_ACCOUNTS_ENABLED is off in these settings)")
        return
    User = get_user_model()
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in _group_names()}
    # Hashing is deliberately slow; one hash serves every new demo account (same password anyway).
    password_hash = None
    created_count = 0
    for account in ACCOUNTS:
        user = User.objects.filter(email__iexact=account.email).first()
        if user is None:
            password_hash = password_hash or make_password(DEMO_PASSWORD)
            user = User(username=account.email, email=account.email, password=password_hash)
            created_count += 1
        wanted = {
            "first_name": account.first_name,
            "last_name": account.last_name,
            "is_staff": account.is_staff,
            "is_superuser": account.is_superuser,
            "is_active": True,
        }
        changed = [name for name, value in wanted.items() if getattr(user, name) != value]
        for name in changed:
            setattr(user, name, wanted[name])
        if user._state.adding or changed:
            user.full_clean()
            user.save()
        missing_groups = {groups[name] for name in account.groups} - set(user.groups.all())
        if missing_groups:
            user.groups.add(*missing_groups)
        if account.partner_code:
            # A partner user works in the cooperative portal (/shop/portal/), not in Oscar's
            # dashboard, whose order pages would show other suppliers' lines of shared orders.
            partner = Partner.objects.get(code=account.partner_code)
            if not partner.users.filter(pk=user.pk).exists():
                partner.users.add(user)
    command.stdout.write(f"  accounts: {len(ACCOUNTS)} demo accounts ({created_count} new)")


def report(command) -> None:
    """Print the demo accounts, their password and where each signs in."""
    if not settings.DEMO_ACCOUNTS_ENABLED:
        return
    rows = [
        (account.role, account.email, DEMO_PASSWORD, "  ".join(reverse(name) for name in account.sign_in))
        for account in ACCOUNTS
    ]
    headers = ("Role", "E-mail", "Password", "Sign in at")
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]
    line = "  ".join(f"{{:<{width}}}" for width in widths)
    write = command.stdout.write
    write("")
    write(
        command.style.WARNING(
            "Demo accounts — LOCAL USE ONLY (the password is public; never on a real server)"
        )
    )
    for row in (headers, ["-" * width for width in widths], *rows):
        write(line.format(*row).rstrip())
    write(f"Sign in with the e-mail address. Unless it was changed, every password is “{DEMO_PASSWORD}”.")


def _group_names() -> list[str]:
    return sorted({name for account in ACCOUNTS for name in account.groups})
