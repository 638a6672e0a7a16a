"""Supplier factories: approved suppliers with a partner, applications, bases, certifications, files."""

import datetime
import io

import factory
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from oscar.test.factories import UserFactory
from PIL import Image

from core.places import County
from suppliers.models import BasePhoto, Certification, ProductionBase, Supplier
from suppliers.validators import uscc_check_character
from tests.factories.catalogue import ShiyanPartnerFactory

# Division codes (GB/T 2260) of Shiyan's counties, used in the USCC's characters 3–8.
DIVISION_CODES = {
    County.MAOJIAN: "420302",
    County.ZHANGWAN: "420303",
    County.YUNYANG: "420304",
    County.YUNXI: "420322",
    County.ZHUSHAN: "420323",
    County.ZHUXI: "420324",
    County.FANGXIAN: "420325",
    County.DANJIANGKOU: "420381",
    County.WUDANGSHAN: "420381",
    County.DEVELOPMENT_ZONE: "420300",
}


def make_uscc(n: int, *, county: str = County.FANGXIAN, prefix: str = "93") -> str:
    """A USCC with a correct check character: "93" is a farmers' cooperative, "91" an enterprise."""
    body = f"{prefix}{DIVISION_CODES[county]}MA{n:07d}"
    return body + uscc_check_character(body)


def image_upload(name="photo.jpg", *, size=(64, 48), fmt="JPEG", color=(60, 140, 70)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def pdf_bytes() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_upload(name="licence.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


class SupplierFactory(factory.django.DjangoModelFactory):
    """An approved supplier selling through its own partner."""

    class Meta:
        model = Supplier

    partner = factory.SubFactory(ShiyanPartnerFactory)
    slug = factory.LazyAttribute(lambda s: s.partner.code if s.partner else "")
    legal_name = factory.LazyAttribute(lambda s: s.partner.name if s.partner else "房县测试专业合作社")
    short_name = factory.Sequence(lambda n: f"合作社{n}")
    kind = Supplier.Kind.COOPERATIVE
    uscc = factory.Sequence(lambda n: make_uscc(n + 1))
    county = County.FANGXIAN
    address = "湖北省十堰市房县城关镇"
    contact_name = "王建国"
    phone = "13971912345"
    email = factory.Sequence(lambda n: f"coop{n}@example.com")
    description = "房县高山香菇与黑木耳。"
    households_supported = 120
    formerly_poor_county = True
    status = Supplier.Status.APPROVED


class ApplicationFactory(SupplierFactory):
    """An application not yet decided: no partner, no public address."""

    partner = None
    slug = ""
    legal_name = factory.Sequence(lambda n: f"竹溪县申请专业合作社{n}")
    status = Supplier.Status.APPLIED


class ProductionBaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductionBase

    supplier = factory.SubFactory(SupplierFactory)
    name = factory.Sequence(lambda n: f"土城香菇基地{n}")
    county = County.FANGXIAN
    township = "土城镇"
    latitude = "32.05000"
    longitude = "110.60000"
    area_mu = "120.0"
    altitude_m = 850
    main_crops = "香菇、黑木耳"
    in_water_source_protection_area = False
    plot_names = "一号棚\n二号棚"


class BasePhotoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BasePhoto

    base = factory.SubFactory(ProductionBaseFactory)
    image = factory.LazyFunction(lambda: image_upload())
    caption = "菇棚"


class CertificationFactory(factory.django.DjangoModelFactory):
    """Valid from a year ago for two years, unless told otherwise."""

    class Meta:
        model = Certification

    supplier = factory.SubFactory(SupplierFactory)
    kind = Certification.Kind.GREEN_FOOD
    number = factory.Sequence(lambda n: f"LB-15-2101{n:06d}")
    issuer = "中国绿色食品发展中心"
    valid_from = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=365))
    valid_until = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=365))


def portal_user_for(supplier: Supplier, **user_fields):
    """A user in the supplier's partner and in the "Cooperative users" group."""
    user = UserFactory(**user_fields)
    supplier.partner.users.add(user)
    user.groups.add(Group.objects.get(name="Cooperative users"))
    return user
