"""Oscar's address book, forked only to print addresses the way a Chinese courier reads them."""

from oscar.apps.address.abstract_models import AbstractUserAddress

# Largest to smallest: 北京市, 朝阳区, 建国路88号 …; the country is always China, so it is left out.
# Only the printed summary changes: the de-duplication hash keeps Oscar's fields.
CN_ADDRESS_FIELDS = ["state", "line4", "line1", "line2", "postcode", "salutation"]


class UserAddress(AbstractUserAddress):
    base_fields = CN_ADDRESS_FIELDS


from oscar.apps.address.models import *  # noqa: E402
