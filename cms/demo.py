"""Demo CMS content: the home page, five brand pages, four channel pages, stories, menus and footer.

Content is drawn from the plan (《十堰市南水北调对口协作“十四五”规划》, ../shared/seed/) and DOMAIN.md.
Idempotent: pages are found by their place in the tree; a page is (re)written only when the demo
content differs from what the seed last wrote *and* no editor has touched it since (its latest
revision has no user), so running it twice changes nothing and never overwrites an editor's work.
Product grids pick products by brand and category from whatever catalogue exists; with an empty
catalogue they simply show nothing.
"""

from __future__ import annotations

import hashlib
import io
import json
import uuid
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.images import ImageFile
from oscar.core.loading import get_model
from wagtail.images import get_image_model
from wagtail.models import Page

from cms.models import (
    BrandPage,
    Channel,
    ChannelFormField,
    ChannelPage,
    ContentPage,
    FooterSettings,
    HomePage,
    Menu,
    MenuItem,
    SectionPage,
    StoryIndexPage,
    StoryPage,
)

PLAN = "《十堰市南水北调对口协作“十四五”规划》"
MARKER_PREFIX = "cms-demo:"


# --- Helpers ----------------------------------------------------------------------------------


def _block(block_type: str, value) -> dict:
    # A stable id per block keeps the signature (and so idempotency) independent of uuid4.
    digest = hashlib.sha1(  # noqa: S324 - an id, not a secret
        json.dumps([block_type, value], sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()
    return {"type": block_type, "value": value, "id": str(uuid.UUID(digest[:32]))}


def heading(text):
    return _block("heading", {"text": text, "level": "h2"})


def text(*paragraphs):
    return _block("text", "".join(f"<p>{p}</p>" for p in paragraphs))


def quote(text_, attribution, role=""):
    return _block("quote", {"text": text_, "attribution": attribution, "role": role})


def image_block(image, alt, caption=""):
    return _block("image", {"image": image.pk, "alt": alt, "caption": caption, "credit": "", "width": "wide"})


def product_grid(*, heading_, brand="", category=None, limit=8, show_more=False):
    if category is not None:
        value = {"source": "category", "category": category.pk, "brand": "", "products": []}
    else:
        value = {"source": "brand", "category": None, "brand": brand, "products": []}
    return _block("product_grid", {"heading": heading_, "limit": limit, "show_more": show_more, **value})


def cta(heading_, text_, label, page):
    return _block(
        "call_to_action",
        {"heading": heading_, "text": text_, "button_label": label, "page": page.pk, "url": ""},
    )


def _signature(fields: dict) -> str:
    return hashlib.sha1(  # noqa: S324 - a change detector, not a secret
        json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()


def _untouched_by_editors(page) -> bool:
    revision = page.latest_revision
    return revision is None or revision.user_id is None


def upsert(parent, model, slug: str, fields: dict, *, extra=None, extra_key=None):
    """The child page of ``parent`` at ``slug``: created, updated from the demo content, or left alone.

    ``extra(page)`` sets what plain fields cannot (form fields, tags); ``extra_key`` is its content,
    for the change check.
    """
    from core.models import SiteFlag

    streams = {k: json.dumps(v, ensure_ascii=False) for k, v in fields.items() if isinstance(v, list)}
    plain = {k: v for k, v in fields.items() if not isinstance(v, list)}
    signature = _signature({"fields": fields, "extra": extra_key})
    marker_key = (MARKER_PREFIX + parent.url_path.strip("/").replace("/", "-") + "-" + slug)[:64]

    page = model.objects.child_of(parent).filter(slug=slug).first()
    if page is None:
        page = model(slug=slug, **plain, **streams)
        parent.add_child(instance=page)
    else:
        marker = SiteFlag.objects.filter(key=marker_key).first()
        if (marker and marker.value == signature) or not _untouched_by_editors(page):
            return page, False
        for name, value in {**plain, **streams}.items():
            setattr(page, name, value)
    if callable(extra):
        extra(page)
    page.save_revision().publish()
    SiteFlag.objects.update_or_create(key=marker_key, defaults={"value": signature})
    return model.objects.get(pk=page.pk), True


# --- Images -----------------------------------------------------------------------------------

# Theme → (title in the image library, dark, mid, light colours).
THEMES = {
    "home": ("示意图：十堰山水", (31, 111, 139), (47, 107, 79), (214, 233, 221)),
    "tea": ("示意图：茶山", (47, 107, 79), (120, 170, 110), (230, 240, 210)),
    "mushrooms": ("示意图：菇乡", (92, 64, 51), (160, 120, 90), (240, 228, 210)),
    "citrus": ("示意图：橘园", (230, 126, 34), (243, 180, 60), (255, 240, 205)),
    "olive": ("示意图：橄榄林", (85, 107, 47), (160, 170, 70), (238, 240, 205)),
    "wine": ("示意图：酒乡", (120, 50, 40), (190, 120, 60), (245, 225, 200)),
    "channels": ("示意图：进京通道", (31, 111, 139), (80, 150, 170), (220, 238, 244)),
    "water": ("示意图：一库清水", (20, 90, 140), (70, 150, 190), (215, 235, 245)),
}


def _banner_png(key: str) -> bytes:
    """A 1200×630 landscape in the theme's colours: sky, sun, two ridges and water (no photo needed)."""
    from PIL import Image as PILImage
    from PIL import ImageDraw

    _, dark, mid, light = THEMES[key]
    width, height = 1200, 630
    img = PILImage.new("RGB", (width, height), light)
    draw = ImageDraw.Draw(img)
    for y in range(height // 2):
        t = y / (height / 2)
        draw.line([(0, y), (width, y)], fill=tuple(int(light[i] * (1 - t) + 255 * t) for i in range(3)))
    draw.ellipse((860, 80, 990, 210), fill=(255, 236, 180))
    ridge_far = [
        (0, 360),
        (160, 250),
        (320, 330),
        (480, 210),
        (680, 320),
        (840, 230),
        (1030, 330),
        (1200, 260),
    ]
    draw.polygon([*ridge_far, (1200, 630), (0, 630)], fill=mid)
    ridge_near = [(0, 450), (200, 360), (390, 430), (590, 350), (790, 440), (980, 380), (1200, 450)]
    draw.polygon([*ridge_near, (1200, 630), (0, 630)], fill=dark)
    draw.rectangle((0, 530, width, height), fill=(110, 190, 230))
    for x in range(30, width, 120):
        draw.line([(x, 570), (x + 60, 570)], fill=(235, 245, 250), width=3)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def demo_image(key: str):
    """The library image for a theme, drawn once (illustrations, not photographs: they say so)."""
    Image = get_image_model()
    title = THEMES[key][0]
    image = Image.objects.filter(title=title).first()
    if image is None:
        image = Image(title=title)
        image.file = ImageFile(io.BytesIO(_banner_png(key)), name=f"cms-demo-{key}.png")
        image.save()
    return image


# --- Content ----------------------------------------------------------------------------------


def _category(slug):
    Category = get_model("catalogue", "Category")
    return Category.objects.filter(slug=slug).first()


def _partner(code):
    Partner = get_model("partner", "Partner")
    return Partner.objects.filter(code=code).first()


BRANDS = [
    {
        "slug": "wudangshan-tea",
        "body_en": [
            "The plan for Beijing–Shiyan cooperation (2021–2025) names Wudang Mountain tea among the "
            "regional brands to build, and seeks to bring Beijing tea houses such as Wuyutai to develop "
            "products with Wudang tea companies.",
            "Fresh leaves travel with a compliance certificate for each batch; finished tea is "
            "packaged food made under an SC production licence. Every pack on this site traces back to "
            "its garden and batch.",
        ],
        "title": "武当山茶",
        "title_en": "Wudang Mountain Tea",
        "brand": "武当山茶",
        "category": "tea",
        "county": "wudangshan",
        "image": "tea",
        "partners": ["wudang-daocha", "zhuxi-tribute-tea-coop", "zhushan-tea-coop"],
        "tagline": "武当山下，汉水之畔的一片好茶",
        "tagline_en": "Green tea from the slopes above the Han River",
        "intro": "茶叶是十堰的主导特色产业。武当山茶、竹溪贡茶生长在丹江口水库上游的山地茶园，"
        "这里为了守护一库清水，不上高污染的产业，茶园的生态就是水源地的生态。",
        "intro_en": "Tea is one of Shiyan's leading specialty crops. Wudang and Zhuxi teas grow on the hills "
        "above the Danjiangkou reservoir, where polluting industry gave way to keep Beijing's water clean.",
        "body": [
            "《十堰市南水北调对口协作“十四五”规划》把武当山茶列为集中培育的农特产品品牌，"
            "并提出争取吴裕泰与武当山茶公司等合作开发十堰特色产品。",
            "鲜叶属于需要随批次开具承诺达标合格证的食用农产品；加工后的成品茶按预包装食品管理，"
            "生产企业须持有食品生产许可证（SC）。在本平台，每一包茶都能追溯到茶园和批次。",
        ],
    },
    {
        "slug": "fangxian-shiitake",
        "body_en": [
            "In 2016–2020 the Beijing–Shiyan consumption-assistance centre brought 330 specialty "
            "products of 84 reservoir-area companies (tea, fish, citrus, yellow wine, shiitake, black "
            "fungus …) into the Beijing market: over ¥200 million of sales, and more income for over "
            "30,000 poor households.",
            "Cultivated mushrooms count as vegetables: every production batch carries a compliance "
            "certificate stating the product, quantity, origin, date and the basis of the promise.",
        ],
        "title": "房县香菇",
        "title_en": "Fangxian Shiitake",
        "brand": "房县香菇",
        "category": "mushrooms",
        "county": "fangxian",
        "image": "mushrooms",
        "partners": ["fangxian-mushroom-coop", "fangxian-muer-farm"],
        "tagline": "神农架南麓的椴木香菇与黑木耳",
        "tagline_en": "Shiitake and black fungus from the hills of Fang County",
        "intro": "房县是十堰的食用菌大县，香菇和黑木耳是合作社和农户增收的主要来源。"
        "规划提出大力支持房县食用菌等有竞争力和带动能力强的生态产业。",
        "intro_en": "Fang County is Shiyan's mushroom county: shiitake and black fungus are a main income "
        "for its cooperatives and farm households.",
        "body": [
            "“十三五”期间，北京、十堰消费扶贫产业双创中心帮助库区84家企业的茶叶、鱼产品、柑橘、黄酒、"
            "香菇、木耳等330个特色优质农产品进入北京市场，销售额超过2亿元，带动3万多贫困户增收。",
            "人工栽培的食用菌按蔬菜管理，每个生产批次随附承诺达标合格证，写明产品、数量、产地、"
            "开具时间和承诺依据。买到的每一袋香菇，都能查到它来自哪个合作社、哪一批。",
        ],
    },
    {
        "slug": "danjiang-citrus",
        "body_en": [
            "The plan asks Danjiangkou to improve its citrus varieties, with 2,000 mu of new nurseries "
            "and 12,000 mu of quality orchards, joining environmental care with farming.",
            "Fresh fruit is seasonal and needs a cold chain. Prices and stock on this page come "
            "straight from the shop; when a fruit sells out, the page says so.",
        ],
        "title": "丹江柑橘",
        "title_en": "Danjiang Citrus",
        "brand": "丹江柑橘",
        "category": "citrus",
        "county": "danjiangkou",
        "image": "citrus",
        "partners": ["danjiangkou-citrus-coop", "zhangwan-orchard-coop"],
        "tagline": "库区的阳光与水汽养出的柑橘",
        "tagline_en": "Citrus grown on the shores of the reservoir",
        "intro": "丹江口市环库区的柑橘园是当地的传统产业，也是生态保护与农民增收结合的样板。",
        "intro_en": "The orchards around the Danjiangkou reservoir are a traditional industry and an "
        "example of farming that protects the water.",
        "body": [
            "规划提出在丹江口市积极推动柑橘品种改良，新建柑橘新品苗木基地2000亩，发展优质柑橘基地12000亩，"
            "把生态环境治理和生态产业结合起来。",
            "鲜果季节性强、易损耗，需要冷链。页面上的价格和库存都直接来自商城，售完即显示缺货。",
        ],
    },
    {
        "slug": "yunyang-olive-oil",
        "body_en": [
            "The plan calls for 100,000 mu of new olive groves, with irrigation, along the Han River "
            "and its tributaries the Dan and the Tao in Yunyang, and names Yunyang olive oil among the "
            "brands to build.",
            "Olive oil is processed food, made by companies holding an SC production licence.",
        ],
        "title": "郧阳橄榄油",
        "title_en": "Yunyang Olive Oil",
        "brand": "郧阳橄榄油",
        "category": "olive-oil",
        "county": "yunyang",
        "image": "olive",
        "partners": ["yunyang-olive-oil"],
        "tagline": "汉江两岸的油橄榄",
        "tagline_en": "Olive oil from the banks of the Han River",
        "intro": "郧阳区沿汉江发展油橄榄，把荒坡变成果园，既保持水土，又带来收入。",
        "intro_en": "Yunyang District grows olives along the Han River, turning bare slopes into orchards "
        "that hold the soil and bring an income.",
        "body": [
            "规划提出在郧阳区汉江主流域及支流丹江、滔河流域新建油橄榄基地10万亩苗木及水系配套工程，"
            "“做活水文章，做强水经济”；并把郧阳橄榄油列为集中培育的农特产品品牌。",
            "橄榄油属于加工食品，生产企业须持有食品生产许可证（SC）。",
        ],
    },
    {
        "slug": "fangxian-yellow-wine",
        "body_en": [
            "The yellow-wine village project in Tucheng sells about 3,000 tonnes (six million jin) of "
            "yellow wine a year, worth ¥60 million; a 100,000-tonne yellow and cooking wine plant "
            "built by Beijing's Zhonghe company is in full production in Fang County.",
            "Yellow wine contains alcohol: it is sold only to buyers aged 18 or over.",
        ],
        "title": "房县黄酒",
        "title_en": "Fangxian Yellow Wine",
        "brand": "房县黄酒",
        "category": "yellow-wine",
        "county": "fangxian",
        "image": "wine",
        "partners": ["fangxian-yellow-wine"],
        "tagline": "土城镇的黄酒民俗村",
        "tagline_en": "From the yellow-wine village of Tucheng",
        "intro": "房县黄酒有悠久的酿造传统，土城镇的黄酒民俗村是北京对口协作支持的项目之一。",
        "intro_en": "Fang County has a long tradition of yellow wine; the yellow-wine village of Tucheng is "
        "one of the projects Beijing supported.",
        "body": [
            "房县土城镇黄酒民俗村项目带动年销售黄酒600万斤，产值达到6000万元；"
            "北京忠和酒业公司投资建设的10万吨黄酒料酒项目落户房县，已全面投入生产。",
            "黄酒是含酒精饮品：仅向年满18周岁的买家销售，生产企业须持有食品生产许可证（SC）。",
        ],
    },
]

CHANNELS = [
    {
        "slug": "supermarkets",
        "channel": Channel.SUPERMARKET,
        "title": "农超对接",
        "title_en": "For supermarkets",
        "tagline": "超市、农贸市场稳定货源",
        "tagline_en": "Steady supply for supermarkets and farmers' markets",
        "intro": "北京的超市和农贸市场可以直接对接十堰的合作社和生产基地，按箱、按托整件采购，定期补货。",
        "intro_en": "Beijing supermarkets and farmers' markets buy directly from Shiyan cooperatives, "
        "by the case or the pallet, with regular replenishment.",
        "audience": ["连锁超市、社区超市", "农贸市场、批发市场的经营户", "生鲜电商的区域仓"],
        "audience_en": [
            "Supermarket chains and neighbourhood stores",
            "Traders at farmers' and wholesale markets",
            "Regional warehouses of fresh-food retailers",
        ],
        "terms": [
            "按箱或按托整件起订，具体起订量见渠道经理提供的价格清单",
            "按约定周期补货",
            "提供增值税发票",
            "结算方式和账期以双方签订的采购协议为准",
        ],
        "terms_en": [
            "Whole cases or pallets; minimums are on the price list your channel manager sends",
            "Replenishment on an agreed schedule",
            "VAT invoices (fapiao)",
            "Payment terms as set in the purchase agreement",
        ],
    },
    {
        "slug": "enterprises",
        "channel": Channel.ENTERPRISE,
        "title": "农企对接",
        "title_en": "For enterprises",
        "tagline": "职工食堂、节日福利、团餐企业",
        "tagline_en": "Staff canteens, corporate gifts and catering firms",
        "intro": "企业食堂、工会福利和团餐企业批量采购十堰农特产品，每一笔采购都能落实到合作社和农户。",
        "intro_en": "Company canteens, union gift programmes and catering firms buy Shiyan specialties in "
        "bulk; every purchase reaches the cooperatives and households behind them.",
        "audience": ["企业职工食堂", "工会节日福利、企业礼品采购", "团餐和配餐企业"],
        "audience_en": [
            "Staff canteens",
            "Union holiday gifts and corporate gift buyers",
            "Catering and meal-delivery firms",
        ],
        "terms": [
            "批量订单，可在订单上填写贵单位的采购单号",
            "提供增值税发票",
            "账期等信用条件经审核后在采购协议中约定",
        ],
        "terms_en": [
            "Bulk orders, with your purchase-order number on the order",
            "VAT invoices (fapiao)",
            "Credit terms agreed in the purchase agreement after review",
        ],
    },
    {
        "slug": "schools",
        "channel": Channel.SCHOOL,
        "title": "农校对接",
        "title_en": "For schools",
        "tagline": "学校食堂每周稳定配送",
        "tagline_en": "Weekly deliveries for school canteens",
        "intro": "公共机构食堂按规定预留一定比例采购脱贫地区农产品。北京的中小学和高校食堂可以"
        "通过本平台采购十堰农产品，每批货都附食品安全资料。",
        "intro_en": "Public canteens reserve part of their purchasing for products from formerly poor "
        "areas. Beijing schools and universities can buy Shiyan produce here, with food-safety "
        "documents for every batch.",
        "audience": ["中小学、幼儿园食堂", "高等院校食堂", "为学校供餐的配餐单位"],
        "audience_en": [
            "School and kindergarten canteens",
            "University canteens",
            "Caterers supplying schools",
        ],
        "terms": [
            "按周固定配送，品种和数量可按学期调整",
            "每个批次提供承诺达标合格证和检测报告",
            "可按预算上限下单",
            "提供增值税发票，结算方式以采购协议为准",
        ],
        "terms_en": [
            "Fixed weekly deliveries, adjustable each term",
            "A compliance certificate and test report for every batch",
            "Orders within your budget cap",
            "VAT invoices; payment as in the purchase agreement",
        ],
    },
    {
        "slug": "restaurants",
        "channel": Channel.RESTAURANT,
        "title": "农餐对接",
        "title_en": "For restaurants",
        "tagline": "小批量、勤补货的餐厅采购",
        "tagline_en": "Small, frequent orders for restaurants",
        "intro": "北京的餐厅可以小批量、多频次采购香菇、木耳、茶叶、橄榄油和黄酒等十堰食材。",
        "intro_en": "Beijing restaurants buy Shiyan shiitake, black fungus, tea, olive oil and yellow wine "
        "in small, frequent orders.",
        "audience": ["中餐厅、湖北菜馆", "茶馆、咖啡馆", "食材集中采购的餐饮连锁"],
        "audience_en": [
            "Restaurants, Hubei cuisine in particular",
            "Tea houses and cafés",
            "Restaurant chains buying centrally",
        ],
        "terms": ["小批量起订，可多次补货", "配送时效以采购协议约定为准", "提供增值税发票"],
        "terms_en": [
            "Small minimum orders, reorder as often as needed",
            "Delivery times as set in the purchase agreement",
            "VAT invoices (fapiao)",
        ],
    },
]

JOIN_STEPS = [
    "在本页填写登记表，留下单位名称和联系方式",
    "渠道经理在两个工作日内与您联系，了解采购需求并核实单位信息",
    "双方签订采购协议，渠道经理为贵单位提供价格清单",
    "开始下单；每笔订单的产品都可追溯到合作社和批次",
]
JOIN_STEPS_EN = [
    "Fill in the form on this page with your organisation's name and contact details",
    "A channel manager contacts you within two working days to understand your needs",
    "You sign a purchase agreement and receive a price list for your organisation",
    "Start ordering; every product traces back to its cooperative and batch",
]

FORM_FIELDS = [
    ("organisation", "单位名称", "Organisation", "singleline", True, ""),
    ("contact", "联系人", "Contact person", "singleline", True, ""),
    ("phone", "手机号码", "Mobile phone", "singleline", True, ""),
    ("email", "电子邮箱", "E-mail", "email", False, ""),
    (
        "district",
        "所在区",
        "District",
        "dropdown",
        False,
        "东城区\n西城区\n朝阳区\n海淀区\n丰台区\n石景山区\n门头沟区\n房山区\n通州区\n顺义区\n昌平区\n大兴区\n怀柔区\n平谷区\n密云区\n延庆区",
    ),
    (
        "needs",
        "采购需求（品类、数量、频次）",
        "What you would like to buy (products, quantities, how often)",
        "multiline",
        False,
        "",
    ),
]

STORIES = [
    {
        "slug": "clear-water-north",
        "title": "一库清水永续北送",
        "title_en": "A reservoir of clean water for Beijing",
        "date": date(2025, 3, 22),
        "tags": ["水源地", "资讯"],
        "image": "water",
        "brand": None,
        "summary": "北京超过七成的自来水来自丹江口水库。十堰守护水源，北京以消费帮扶回馈。",
        "summary_en": "More than seven-tenths of Beijing's tap water comes from the Danjiangkou reservoir.",
        "body": [
            "丹江口水库是南水北调中线工程的核心水源地。调水以来，库区水质长期保持在Ⅱ类以上标准，"
            "入选首批“中国好水”水源地。",
            "截至2021年10月1日，中线工程已累计调水420亿立方米，其中北京市受水超过70亿立方米，"
            "北京市超七成自来水来自丹江口水库。",
            "为了这库清水，十堰关停了污染企业、发展生态产业。北京通过对口协作回馈水源区，"
            "消费帮扶是其中一条路：北京人买十堰的好产品，钱直接回到合作社和农户手里。",
        ],
    },
    {
        "slug": "330-products-to-beijing",
        "title": "84家企业、330个特色农产品进京",
        "title_en": "84 companies and 330 specialty products reach Beijing",
        "date": date(2025, 4, 18),
        "tags": ["消费帮扶", "资讯"],
        "image": "home",
        "brand": "fangxian-shiitake",
        "summary": "“十三五”期间，十堰农特产品进京销售额超过2亿元，带动3万多贫困户增收。",
        "summary_en": "In 2016–2020 Shiyan specialties sold over ¥200 million in Beijing.",
        "body": [
            "“十三五”期间，京堰两地建立北京、十堰消费扶贫产业双创中心，帮助库区84家企业的茶叶、鱼产品、"
            "柑橘、黄酒、香菇、木耳等330个特色优质农产品进入北京市场。",
            "销售额超过2亿元，带动3万多贫困户增收。“十四五”期间，两地继续深化消费帮扶，"
            "开展农超、农企、农校、农餐对接，建立十堰农特优产品进京“绿色通道”。",
        ],
    },
    {
        "slug": "tucheng-yellow-wine-village",
        "title": "土城镇的黄酒村",
        "title_en": "The yellow-wine village of Tucheng",
        "date": date(2025, 5, 9),
        "tags": ["合作社故事", "黄酒"],
        "image": "wine",
        "brand": "fangxian-yellow-wine",
        "summary": "一个民俗村项目，一年卖出600万斤黄酒。",
        "summary_en": "A village project that sells six million jin of yellow wine a year.",
        "body": [
            "房县土城镇有酿黄酒的传统。北京对口协作支持的黄酒民俗村项目，带动年销售黄酒600万斤，"
            "产值达到6000万元。",
            "与此同时，北京忠和酒业公司投资建设的10万吨黄酒料酒项目落户房县并全面投入生产。"
            "规划还提出引导首农集团加大对该项目的投入，并将其产品纳入首农供应链系统。",
        ],
    },
    {
        "slug": "olives-along-the-han",
        "title": "十万亩油橄榄上汉江",
        "title_en": "A hundred thousand mu of olives along the Han",
        "date": date(2025, 6, 3),
        "tags": ["产业", "橄榄油"],
        "image": "olive",
        "brand": "yunyang-olive-oil",
        "summary": "郧阳区沿汉江干支流新建10万亩油橄榄基地。",
        "summary_en": "Yunyang plants 100,000 mu of olive groves along the Han and its tributaries.",
        "body": [
            "规划提出，在郧阳区汉江主流域及支流丹江、滔河流域新建油橄榄基地10万亩苗木及水系配套工程。",
            "油橄榄根系发达、四季常绿，种在坡地上能保持水土；榨出的橄榄油是加工食品，由持有食品生产"
            "许可证的企业生产。",
        ],
    },
]


def _list_html(items, ordered=False):
    tag = "ol" if ordered else "ul"
    return f"<{tag}>" + "".join(f"<li>{item}</li>" for item in items) + f"</{tag}>"


def _set_form_fields(page):
    page.form_fields = [
        ChannelFormField(
            clean_name=name,
            label=label,
            label_en=label_en,
            field_type=field_type,
            required=required,
            choices=choices,
            sort_order=i,
        )
        for i, (name, label, label_en, field_type, required, choices) in enumerate(FORM_FIELDS)
    ]


# --- Seed -------------------------------------------------------------------------------------


def seed(command) -> None:
    written = []
    site_root = HomePage.objects.order_by("path").first()
    if site_root is None:
        command.stdout.write("No home page (cms migration 0002 creates it); nothing seeded.")
        return
    home_image = demo_image("home")
    categories = {
        slug: _category(slug) for slug in ("tea", "mushrooms", "citrus", "olive-oil", "yellow-wine")
    }

    root = Page.objects.get(pk=site_root.get_parent().pk)
    home, changed = upsert(
        root,
        HomePage,
        site_root.slug,
        {
            "title": "十堰优品",
            "title_en": "Shiyan Select",
            "intro": "京堰消费帮扶：买十堰的好东西，护北京的一江清水。",
            "intro_en": "Buy from Shiyan, where Beijing's water comes from.",
            "hero_image_id": home_image.pk,
            "search_description": "十堰优品是京堰消费帮扶平台：武当山茶、房县香菇、丹江柑橘、"
            "郧阳橄榄油、房县黄酒，每一包都能追溯到合作社和批次。",
            "search_description_en": "Specialty farm products from Shiyan, Hubei, for Beijing buyers, "
            "each traceable to its cooperative and batch.",
            "mission": "十堰是南水北调中线工程的核心水源地，北京超七成自来水来自丹江口水库。"
            "为了守护这库清水，十堰放弃了污染产业；北京通过对口协作回馈水源区。"
            "在这里买下的每一份农产品，钱都直接回到十堰的合作社和农户手里。",
            "mission_en": "Shiyan guards the Danjiangkou reservoir, the source of more than seven-tenths of "
            "Beijing's tap water, and gave up polluting industry to keep it clean. Every purchase here "
            "goes straight to Shiyan's cooperatives and the farm households behind them.",
            "body": [
                heading("规划里的五个区域品牌"),
                quote(
                    "集中培育郧阳橄榄油、房县香菇、丹江柑橘、武当山茶等农特产品品牌。",
                    PLAN,
                    "专栏4 推动乡村振兴",
                ),
                # Live figures of the green channel (impact reporting, issue 14).
                _block("impact_figures", {"heading": "京堰消费帮扶成效", "period": "year"}),
                *(
                    [product_grid(heading_="茶叶新品", category=categories["tea"], limit=4, show_more=True)]
                    if categories["tea"]
                    else []
                ),
            ],
        },
    )
    if changed:
        written.append(home.title)

    brands_section, changed = upsert(
        home,
        SectionPage,
        "brands",
        {
            "title": "区域品牌",
            "title_en": "Regional brands",
            "intro": "规划提出在每个县市助推一个农特产品品牌。这里是十堰的五个区域品牌，"
            "商品价格与库存都实时来自商城。",
            "intro_en": "Five regional brands of Shiyan. Prices and stock come live from the shop.",
            "hero_image_id": home_image.pk,
        },
    )
    if changed:
        written.append(brands_section.title)

    brand_pages = {}
    for spec in BRANDS:
        image = demo_image(spec["image"])
        category = categories.get(spec["category"])
        body = [heading("品牌故事"), text(*spec["body"])]
        body.append(product_grid(heading_=f"在售的{spec['brand']}", brand=spec["brand"], limit=8))
        body_en = [
            heading("The brand's story"),
            text(*spec["body_en"]),
            product_grid(heading_=f"{spec['title_en']} on sale", brand=spec["brand"], limit=8),
        ]
        for code in spec["partners"]:
            partner = _partner(code)
            if partner is not None:
                body.append(_block("supplier_card", {"partner": partner.pk, "note": ""}))
        partner_ids = [p.pk for p in (_partner(code) for code in spec["partners"]) if p is not None]
        body.append(_block("bases_map", {"heading": "生产基地", "partners": partner_ids, "county": ""}))
        body.append(
            _block(
                "latest_batches",
                {"heading": "最新批次", "brand": spec["brand"], "category": None, "limit": 5},
            )
        )
        page, changed = upsert(
            brands_section,
            BrandPage,
            spec["slug"],
            {
                "title": spec["title"],
                "title_en": spec["title_en"],
                "brand_name": spec["brand"],
                "category_id": category.pk if category else None,
                "county": spec["county"],
                "tagline": spec["tagline"],
                "tagline_en": spec["tagline_en"],
                "intro": spec["intro"],
                "intro_en": spec["intro_en"],
                "hero_image_id": image.pk,
                "search_description": spec["intro"][:150],
                "search_description_en": spec["intro_en"][:150],
                "body": body,
                "body_en": body_en,
            },
        )
        brand_pages[spec["slug"]] = page
        if changed:
            written.append(page.title)

    channels_section, changed = upsert(
        home,
        SectionPage,
        "channels",
        {
            "title": "渠道对接",
            "title_en": "Buying for an organisation",
            "intro": "规划提出开展“农超、农企、农校、农餐”对接，建立十堰农特优产品进京“绿色通道”。"
            "超市、企业、学校和餐厅可以在这里登记，由渠道经理对接。",
            "intro_en": "Supermarkets, companies, schools and restaurants register here; a channel manager "
            "takes it from there.",
            "hero_image_id": demo_image("channels").pk,
        },
    )
    if changed:
        written.append(channels_section.title)

    for spec in CHANNELS:
        code = spec["channel"].value
        page, changed = upsert(
            channels_section,
            ChannelPage,
            spec["slug"],
            {
                "title": spec["title"],
                "title_en": spec["title_en"],
                "channel": code,
                "tagline": spec["tagline"],
                "tagline_en": spec["tagline_en"],
                "intro": spec["intro"],
                "intro_en": spec["intro_en"],
                "hero_image_id": demo_image("channels").pk,
                "audience": _list_html(spec["audience"]),
                "audience_en": _list_html(spec["audience_en"]),
                "how_to_join": _list_html(JOIN_STEPS, ordered=True),
                "how_to_join_en": _list_html(JOIN_STEPS_EN, ordered=True),
                "terms": _list_html(spec["terms"]),
                "terms_en": _list_html(spec["terms_en"]),
                "contact_name": f"{spec['title'][:2]}渠道组",
                "contact_name_en": f"{spec['title_en'].removeprefix('For ').capitalize()} channel team",
                "contact_email": f"{code}@channels.shiyan-select.example",
                "form_intro": "留下联系方式，渠道经理会与您联系。我们只把这些信息用于这次采购对接。",
                "form_intro_en": "Leave your details and a channel manager will contact you. We use them for "
                "this enquiry only.",
                "thank_you_text": "<p>已收到您的登记，渠道经理会在两个工作日内与您联系。</p>",
                "thank_you_text_en": "<p>Thank you. A channel manager will contact you within "
                "two working days.</p>",
                "to_address": f"{code}@channels.shiyan-select.example",
                "from_address": "noreply@shiyan-select.example",
                "subject": f"【{spec['title']}】新的合作登记",
                "search_description": spec["intro"][:150],
                "search_description_en": spec["intro_en"][:150],
            },
            extra=_set_form_fields,
            extra_key=FORM_FIELDS,
        )
        if changed:
            written.append(page.title)

    index, changed = upsert(
        home,
        StoryIndexPage,
        "stories",
        {
            "title": "故事与资讯",
            "title_en": "Stories and news",
            "intro": "水源地的合作社故事和消费帮扶的最新进展。",
            "intro_en": "Stories from the cooperatives of the water source, and news of the programme.",
        },
    )
    if changed:
        written.append(index.title)
    for spec in STORIES:
        brand = brand_pages.get(spec["brand"]) if spec["brand"] else None

        def set_tags(page, tags=spec["tags"]):
            page.tags.set(tags, clear=True)

        page, changed = upsert(
            index,
            StoryPage,
            spec["slug"],
            {
                "title": spec["title"],
                "title_en": spec["title_en"],
                "date": spec["date"],
                "summary": spec["summary"],
                "summary_en": spec["summary_en"],
                "hero_image_id": demo_image(spec["image"]).pk,
                "brand_id": brand.pk if brand else None,
                "body": [text(*spec["body"])],
            },
            extra=set_tags,
            extra_key=spec["tags"],
        )
        if changed:
            written.append(page.title)

    about, changed = upsert(
        home,
        ContentPage,
        "about",
        {
            "title": "关于我们",
            "title_en": "About us",
            "intro": "十堰优品是服务京堰对口协作消费帮扶的线上平台。",
            "intro_en": "Shiyan Select is an online shop for the Beijing–Shiyan "
            "consumption-assistance programme.",
            "body": [
                text(
                    "十堰地处湖北西北部，是南水北调中线工程的核心水源区。依据" + PLAN + "，"
                    "北京与十堰在生态、产业、民生等领域开展对口协作，消费帮扶是其中重要的一项。",
                    "平台上的商品来自十堰的合作社、企业和家庭农场：茶叶、食用菌、柑橘、橄榄油、黄酒等。"
                    "每一批商品都登记了产地、基地和检测信息，买家扫描包装上的二维码即可查看。",
                ),
                cta(
                    "机构采购", "超市、企业、学校和餐厅可以按渠道批量采购。", "了解渠道对接", channels_section
                ),
            ],
        },
    )
    if changed:
        written.append(about.title)

    _menus(home, brands_section, channels_section, index, about)
    _footer()
    _reviewers()
    command.stdout.write(f"CMS pages written: {len(written)} ({', '.join(written) or 'all up to date'})")


def _menus(home, brands, channels, stories, about):
    main, _ = Menu.objects.get_or_create(handle=Menu.MAIN, defaults={"title": "主菜单"})
    main_items = [
        (home, "", "首页", "Home"),
        (brands, "", "", ""),
        (channels, "", "", ""),
        (stories, "", "", ""),
        (None, "/shop/", "商城", "Shop"),
        (about, "", "", ""),
    ]
    footer, _ = Menu.objects.get_or_create(handle=Menu.FOOTER, defaults={"title": "页脚链接"})
    footer_items = [
        (about, "", "", ""),
        (brands, "", "", ""),
        (channels, "", "", ""),
        (stories, "", "", ""),
        (None, "/shop/", "商城", "Shop"),
    ]
    for menu, items in ((main, main_items), (footer, footer_items)):
        if menu.items.exists():  # editors own the menus once they exist
            continue
        for i, (page, url, label, label_en) in enumerate(items):
            MenuItem.objects.create(
                menu=menu, link_page=page, link_url=url, label=label, label_en=label_en, sort_order=i
            )


def _footer():
    footer = FooterSettings.load()
    if footer.about:
        return
    footer.about = "十堰优品：京堰消费帮扶平台。买十堰的好东西，护北京的一江清水。"
    footer.about_en = "Shiyan Select: buy from Shiyan, where Beijing's water comes from."
    footer.email = "service@shiyan-select.example"
    footer.address = "湖北省十堰市"
    footer.address_en = "Shiyan, Hubei"
    footer.save()


def _reviewers():
    """The demo staff account reviews editors' pages (Wagtail's Moderators group), when it exists."""
    user = get_user_model().objects.filter(email="staff@demo.shiyan.example").first()
    moderators = Group.objects.filter(name="Moderators").first()
    if user is not None and moderators is not None and not user.groups.filter(pk=moderators.pk).exists():
        user.groups.add(moderators)
