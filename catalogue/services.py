"""Writes to the catalogue.

``catalogue_structure_ensure`` lays down what every Shiyan shop needs before its first product: the
category tree, the product classes with their attributes, and the quality marks. It only creates
what is missing and never overwrites what staff have since edited, so it is safe to run on a live
database (the demo runs it on every seed).
"""

from dataclasses import dataclass, field

from django.db import transaction
from oscar.core.loading import get_model

Category = get_model("catalogue", "Category")
ProductClass = get_model("catalogue", "ProductClass")
ProductAttribute = get_model("catalogue", "ProductAttribute")
AttributeOptionGroup = get_model("catalogue", "AttributeOptionGroup")
AttributeOption = get_model("catalogue", "AttributeOption")
QualityMark = get_model("catalogue", "QualityMark")


@dataclass(frozen=True)
class CategorySpec:
    code: str  # also the slug; stable, other rooms look categories up by it
    name: str
    description: str = ""
    children: tuple["CategorySpec", ...] = ()


@dataclass(frozen=True)
class OptionGroupSpec:
    code: str
    name: str
    options: tuple[tuple[str, str], ...]  # (code, option text) in display order


@dataclass(frozen=True)
class AttributeSpec:
    code: str  # a Python identifier: product.attr.<code>
    name: str
    type: str
    required: bool = False
    option_group: str = ""  # OptionGroupSpec.code, for option attributes


@dataclass(frozen=True)
class ProductClassSpec:
    slug: str
    name: str
    attributes: tuple[AttributeSpec, ...]
    adults_only: bool = False
    needs_certificate: bool = False


@dataclass(frozen=True)
class QualityMarkSpec:
    code: str
    name: str
    description: str


CATEGORY_TREE = (
    CategorySpec(
        "tea",
        "茶叶",
        "武当山、竹溪、竹山的高山茶园，雾多温差大，茶叶内含物丰富。",
        (
            CategorySpec("green-tea", "绿茶", "明前、雨前采摘的炒青与毛尖。"),
            CategorySpec("black-tea", "红茶", "本地鲜叶精制的工夫红茶。"),
        ),
    ),
    CategorySpec(
        "mushrooms",
        "食用菌",
        "房县段木香菇与黑木耳，神农架余脉的山林里自然生长。",
        (
            CategorySpec("shiitake", "香菇", "花菇、厚菇、香菇片和香菇制品。"),
            CategorySpec("black-fungus", "木耳", "段木黑木耳、小碗耳。"),
        ),
    ),
    CategorySpec("citrus", "柑橘", "丹江口库区和堵河沿岸的蜜橘、椪柑、脐橙，产地直发。"),
    CategorySpec("olive-oil", "橄榄油", "郧阳区汉江沿岸油橄榄基地，鲜果冷榨。"),
    CategorySpec("yellow-wine", "黄酒", "房县土城镇传统糯米黄酒。未满18周岁请勿购买。"),
    CategorySpec(
        "others",
        "其他",
        "红薯粉条、库区鱼干、药食同源的山货。",
        (
            CategorySpec("noodles", "粉条", "郧西手工红薯粉条、宽粉。"),
            CategorySpec("dried-fish", "鱼干", "丹江口水库的风干鱼与小鱼干。"),
            CategorySpec("herbs", "中药材", "黄精、金银花、葛根等药食同源产品。"),
        ),
    ),
)

OPTION_GROUPS = (
    OptionGroupSpec("grade", "等级", (("grade-special", "特级"), ("grade-1", "一级"), ("grade-2", "二级"))),
    # GB/T 12947 grades fresh citrus as 优等品 / 一等品 / 二等品.
    OptionGroupSpec(
        "fruit-grade",
        "鲜果等级",
        (("fruit-grade-premium", "优等品"), ("fruit-grade-1", "一等品"), ("fruit-grade-2", "二等品")),
    ),
    # GB/T 23347 names the edible olive-oil grades.
    OptionGroupSpec(
        "olive-oil-grade",
        "橄榄油等级",
        (("olive-extra-virgin", "特级初榨"), ("olive-virgin", "中级初榨"), ("olive-refined", "精炼")),
    ),
    # GB/T 13662 grades yellow wine 优级 / 一级 / 二级 and types it by sugar content.
    OptionGroupSpec(
        "wine-grade",
        "黄酒等级",
        (("wine-grade-superior", "优级"), ("wine-grade-1", "一级"), ("wine-grade-2", "二级")),
    ),
    OptionGroupSpec(
        "wine-style",
        "黄酒类型",
        (
            ("wine-dry", "干型"),
            ("wine-semi-dry", "半干型"),
            ("wine-semi-sweet", "半甜型"),
            ("wine-sweet", "甜型"),
        ),
    ),
)

# Net content (净含量) is mandatory on every pre-packed food label (GB 7718), hence required.
_NET_CONTENT = AttributeSpec("net_content", "净含量/规格", "text", required=True)
_STORAGE = AttributeSpec("storage", "储存条件", "text")
_SHELF_LIFE = AttributeSpec("shelf_life_days", "保质期（天）", "integer")

PRODUCT_CLASSES = (
    ProductClassSpec(
        "tea",
        "茶叶",
        (
            _NET_CONTENT,
            AttributeSpec("grade", "等级", "option", option_group="grade"),
            AttributeSpec("harvest", "采摘时节", "text"),
            _STORAGE,
            _SHELF_LIFE,
        ),
    ),
    ProductClassSpec(
        "dried-fungi",
        "干制食用菌",
        (_NET_CONTENT, AttributeSpec("grade", "等级", "option", option_group="grade"), _STORAGE, _SHELF_LIFE),
        needs_certificate=True,  # drying is primary processing: still farm produce
    ),
    ProductClassSpec(
        "fresh-fruit",
        "鲜果",
        (
            _NET_CONTENT,
            AttributeSpec("variety", "品种", "text"),
            AttributeSpec("grade", "等级", "option", option_group="fruit-grade"),
            _STORAGE,
            _SHELF_LIFE,
        ),
        needs_certificate=True,
    ),
    ProductClassSpec(
        "olive-oil",
        "橄榄油",
        (
            _NET_CONTENT,
            AttributeSpec("grade", "等级", "option", option_group="olive-oil-grade"),
            _STORAGE,
            _SHELF_LIFE,
        ),
    ),
    ProductClassSpec(
        "yellow-wine",
        "黄酒",
        (
            _NET_CONTENT,
            AttributeSpec("alcohol_percent", "酒精度（%vol）", "float", required=True),
            AttributeSpec("wine_style", "类型", "option", option_group="wine-style"),
            AttributeSpec("grade", "等级", "option", option_group="wine-grade"),
            _STORAGE,
            _SHELF_LIFE,
        ),
        adults_only=True,
    ),
    ProductClassSpec("specialty-food", "其他特产", (_NET_CONTENT, _STORAGE, _SHELF_LIFE)),
)

# Only marks that exist in China, each with the body that grants it.
QUALITY_MARKS = (
    QualityMarkSpec(
        "organic", "有机产品", "中国有机产品认证（GB/T 19630），由认监委批准的认证机构颁发，包装上有有机码。"
    ),
    QualityMarkSpec("green-food", "绿色食品", "中国绿色食品发展中心许可使用的绿色食品标志，证书三年一续。"),
    QualityMarkSpec(
        "geographical-indication",
        "地理标志产品",
        "国家知识产权局批准保护的地理标志产品，可使用地理标志专用标志。",
    ),
    QualityMarkSpec(
        "agri-geographical-indication",
        "农产品地理标志",
        "农业农村部登记的农产品地理标志，限定产地范围与生产方式。",
    ),
    QualityMarkSpec(
        "famous-specialty",
        "全国名特优新农产品",
        "农业农村部农产品质量安全中心收录的全国名特优新农产品名录。",
    ),
)


@dataclass
class CatalogueStructure:
    """What ``catalogue_structure_ensure`` leaves in place, keyed by the stable codes above."""

    categories: dict[str, Category] = field(default_factory=dict)
    product_classes: dict[str, ProductClass] = field(default_factory=dict)
    quality_marks: dict[str, QualityMark] = field(default_factory=dict)
    options: dict[tuple[str, str], AttributeOption] = field(default_factory=dict)  # (group, text)

    def option(self, group: str, text: str) -> AttributeOption:
        return self.options[(group, text)]


@transaction.atomic
def catalogue_structure_ensure() -> CatalogueStructure:
    """Create the Shiyan categories, product classes, attributes and quality marks that are missing."""
    structure = CatalogueStructure()
    for position, spec in enumerate(QUALITY_MARKS):
        mark, _created = QualityMark.objects.get_or_create(
            code=spec.code,
            defaults={"name": spec.name, "description": spec.description, "display_order": position},
        )
        structure.quality_marks[spec.code] = mark
    _ensure_categories(CATEGORY_TREE, parent=None, into=structure.categories)
    groups = {spec.code: _ensure_option_group(spec, into=structure.options) for spec in OPTION_GROUPS}
    for spec in PRODUCT_CLASSES:
        structure.product_classes[spec.slug] = _ensure_product_class(spec, groups=groups)
    return structure


def _ensure_categories(specs, *, parent, into: dict) -> None:
    existing = {
        category.code: category for category in Category.objects.filter(code__in=[s.code for s in specs])
    }
    for spec in specs:
        category = existing.get(spec.code)
        if category is None:
            fields = {
                "code": spec.code,
                "slug": spec.code,
                "name": spec.name,
                "description": spec.description,
            }
            # treebeard places new nodes; a node staff moved elsewhere stays where they put it.
            category = parent.add_child(**fields) if parent else Category.add_root(**fields)
        into[spec.code] = category
        if spec.children:
            _ensure_categories(spec.children, parent=category, into=into)


def _ensure_option_group(spec: OptionGroupSpec, *, into: dict) -> AttributeOptionGroup:
    group, _created = AttributeOptionGroup.objects.get_or_create(code=spec.code, defaults={"name": spec.name})
    existing = {option.code: option for option in group.options.all()}
    for code, text in spec.options:
        option = existing.get(code) or AttributeOption.objects.create(group=group, code=code, option=text)
        # Keyed by the text in the spec, so callers still find an option staff have renamed.
        into[(spec.code, text)] = option
    return group


def _ensure_product_class(spec: ProductClassSpec, *, groups: dict) -> ProductClass:
    product_class, _created = ProductClass.objects.get_or_create(
        slug=spec.slug,
        defaults={
            "name": spec.name,
            "requires_shipping": True,
            "track_stock": True,
            "adults_only": spec.adults_only,
            "needs_certificate": spec.needs_certificate,
        },
    )
    if spec.adults_only and not product_class.adults_only:
        # Selling alcohol to minors is unlawful: this one flag is restored even over a staff edit.
        product_class.adults_only = True
        product_class.save(update_fields=["adults_only"])
    if spec.needs_certificate and not product_class.needs_certificate:
        # Selling farm produce without its certificate is unlawful too: restored the same way.
        product_class.needs_certificate = True
        product_class.save(update_fields=["needs_certificate"])
    existing = set(product_class.attributes.values_list("code", flat=True))
    ProductAttribute.objects.bulk_create(
        [
            ProductAttribute(
                product_class=product_class,
                code=attribute.code,
                name=attribute.name,
                type=attribute.type,
                required=attribute.required,
                option_group=groups[attribute.option_group] if attribute.option_group else None,
            )
            for attribute in spec.attributes
            if attribute.code not in existing
        ]
    )
    return product_class
