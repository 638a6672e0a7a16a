"""Demo suppliers: the twelve demo partners as approved suppliers, with bases, certificates and photos.

Run by ``manage.py seed_demo`` after ``catalogue.demo``. Idempotent: records are found by the partner's
code, the base's name and the certificate's number, and updated; photos and logos are drawn (with
Pillow) only when missing. A partner that does not exist yet is created, so this seed works alone.
Certificate dates are relative to today, so some are always about to expire and one has expired.
"""

from __future__ import annotations

import datetime
import io
import random
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone
from oscar.core.loading import get_model
from PIL import Image, ImageDraw, ImageFont

from core.demo_utils import record_sync
from core.places import County
from suppliers.models import BasePhoto, Certification, ProductionBase, Supplier, SupplierStatusChange
from suppliers.services import COOPERATIVE_GROUP
from suppliers.validators import uscc_check_character

Partner = get_model("partner", "Partner")

COOP_EMAIL = "coop@demo.shiyan.example"
COOP_PARTNER = "fangxian-mushroom-coop"
DIVISION = {
    County.MAOJIAN: "420302",
    County.ZHANGWAN: "420303",
    County.YUNYANG: "420304",
    County.YUNXI: "420322",
    County.ZHUSHAN: "420323",
    County.ZHUXI: "420324",
    County.FANGXIAN: "420325",
    County.DANJIANGKOU: "420381",
    County.WUDANGSHAN: "420381",
}
COUNTY_ZH = {
    County.MAOJIAN: "茅箭区",
    County.ZHANGWAN: "张湾区",
    County.YUNYANG: "郧阳区",
    County.YUNXI: "郧西县",
    County.ZHUSHAN: "竹山县",
    County.ZHUXI: "竹溪县",
    County.FANGXIAN: "房县",
    County.DANJIANGKOU: "丹江口市",
    County.WUDANGSHAN: "武当山旅游经济特区",
}
C = Certification.Kind


@dataclass
class DemoBase:
    name: str
    township: str
    lat: str
    lon: str
    area_mu: str
    altitude_m: int
    crops: str
    water_source: bool = False
    plots: str = ""
    scene: str = "field"
    description: str = ""
    county: str = ""  # defaults to the supplier's county


@dataclass
class DemoCert:
    kind: str
    number: str
    issuer: str
    days_left: int
    name: str = ""
    days_valid: int = 3 * 365


@dataclass
class DemoSupplier:
    code: str
    name: str
    county: str
    short_name: str
    kind: str
    uscc_seq: int
    contact: str
    phone: str
    households: int
    description: str
    poor_county: bool = True
    sc: str = ""
    bases: list[DemoBase] = field(default_factory=list)
    certs: list[DemoCert] = field(default_factory=list)


def _uscc(supplier: DemoSupplier) -> str:
    prefix = {"cooperative": "93", "enterprise": "91", "family_farm": "92"}[supplier.kind]
    body = f"{prefix}{DIVISION[supplier.county]}MA4{supplier.uscc_seq:06d}"
    return body + uscc_check_character(body)


SUPPLIERS = [
    DemoSupplier(
        code="fangxian-mushroom-coop",
        name="房县菌菇专业合作社",
        county=County.FANGXIAN,
        short_name="房县菌菇",
        kind="cooperative",
        uscc_seq=101,
        contact="王德军",
        phone="13797861021",
        households=412,
        description="合作社组织军店、化龙堰两镇的菇农，在海拔八百米上下的山地用段木和袋料种植房县香菇，"
        "统一菌种、统一技术、统一收购，自然晾晒后分级包装。",
        bases=[
            DemoBase(
                "军店镇香菇基地",
                "军店镇",
                "32.17120",
                "110.58230",
                "320",
                760,
                "香菇（段木、袋料）",
                plots="东山坡菇场\n西沟大棚区\n晾晒场",
                scene="mushroom",
                description="以栎树段木为主的林下香菇种植区，配套烘干房两座。",
            ),
            DemoBase(
                "化龙堰镇花菇基地",
                "化龙堰镇",
                "32.10450",
                "110.90210",
                "180",
                640,
                "花菇、香菇",
                plots="一号大棚\n二号大棚",
                scene="mushroom",
            ),
        ],
        certs=[
            DemoCert(C.GREEN_FOOD, "LB-15-2209120433A", "中国绿色食品发展中心", 480),
            DemoCert(C.GEOGRAPHICAL_INDICATION, "AGI02217", "农业农村部", 1200, name="房县香菇"),
            DemoCert(C.ORGANIC, "114OP2300567", "中绿华夏有机产品认证中心", 20),
        ],
    ),
    DemoSupplier(
        code="fangxian-muer-farm",
        name="房县山珍黑木耳家庭农场",
        county=County.FANGXIAN,
        short_name="山珍木耳",
        kind="family_farm",
        uscc_seq=102,
        contact="陈秀兰",
        phone="15826972233",
        households=38,
        description="一家三代在门古寺镇种黑木耳，带动周边三十多户乡亲用椴木挂耳，小批量、手工采摘。",
        bases=[
            DemoBase(
                "门古寺镇黑木耳基地",
                "门古寺镇",
                "32.21870",
                "110.99340",
                "65",
                820,
                "黑木耳",
                plots="老屋场\n核桃树湾",
                scene="mushroom",
            ),
        ],
        certs=[
            DemoCert(C.GEOGRAPHICAL_INDICATION, "AGI00528", "农业农村部", 900, name="房县黑木耳"),
            DemoCert(C.GREEN_FOOD, "LB-15-1908120211A", "中国绿色食品发展中心", -12),
        ],
    ),
    DemoSupplier(
        code="fangxian-yellow-wine",
        name="房县土城黄酒酿造有限公司",
        county=County.FANGXIAN,
        short_name="土城黄酒",
        kind="enterprise",
        uscc_seq=103,
        contact="刘明远",
        phone="0719-3256789",
        households=260,
        sc="SC11542032500035",
        description="土城镇是房县黄酒的发源地。公司收购本地糯米，以传统“冬酿”工艺酿造房县黄酒，"
        "带动土城黄酒村的酿酒户与种粮户增收。",
        bases=[
            DemoBase(
                "土城糯米种植基地",
                "土城镇",
                "32.00420",
                "110.55170",
                "540",
                580,
                "糯稻",
                plots="黄酒村一组\n黄酒村三组",
                scene="field",
            ),
            DemoBase(
                "土城酿造车间", "土城镇", "32.01210", "110.56380", "12", 560, "黄酒（酿造）", scene="winery"
            ),
        ],
        certs=[
            DemoCert(C.SC_LICENCE, "SC11542032500035", "房县市场监督管理局", 700),
            DemoCert(C.GEOGRAPHICAL_INDICATION, "AGI03312", "农业农村部", 1500, name="房县黄酒"),
        ],
    ),
    DemoSupplier(
        code="zhuxi-tribute-tea-coop",
        name="竹溪县贡茶专业合作社",
        county=County.ZHUXI,
        short_name="竹溪贡茶",
        kind="cooperative",
        uscc_seq=104,
        contact="李春梅",
        phone="13872755110",
        households=356,
        sc="SC11442032400017",
        description="竹溪贡茶产于中峰镇龙王垭一带高山茶园，明清时曾为贡茶。合作社统一鲜叶标准，"
        "自有加工厂制作绿茶与红茶。",
        bases=[
            DemoBase(
                "龙王垭茶园",
                "中峰镇",
                "32.28150",
                "109.80320",
                "860",
                1050,
                "绿茶（龙王垭）",
                plots="垭口茶园\n老茶园\n新植茶园",
                scene="tea",
            ),
            DemoBase(
                "梅子垭茶园", "蒋家堰镇", "32.33270", "109.60140", "420", 980, "绿茶、红茶", scene="tea"
            ),
        ],
        certs=[
            DemoCert(C.ORGANIC, "114OP2200318", "中绿华夏有机产品认证中心", 6),
            DemoCert(C.SC_LICENCE, "SC11442032400017", "竹溪县市场监督管理局", 900),
        ],
    ),
    DemoSupplier(
        code="zhushan-tea-coop",
        name="竹山县圣水绿茶专业合作社",
        county=County.ZHUSHAN,
        short_name="圣水绿茶",
        kind="cooperative",
        uscc_seq=105,
        contact="张国华",
        phone="18972861555",
        households=298,
        sc="SC11442032300021",
        description="圣水绿茶产于竹山县堵河两岸的高山茶园，云雾多、昼夜温差大，春茶清香。",
        bases=[
            DemoBase("麻家渡茶园", "麻家渡镇", "32.35210", "110.05280", "380", 760, "绿茶", scene="tea"),
            DemoBase("双台茶园", "双台乡", "31.80150", "110.15340", "260", 1120, "绿茶", scene="tea"),
        ],
        certs=[
            DemoCert(C.GREEN_FOOD, "LB-16-2104120098A", "中国绿色食品发展中心", 365),
            DemoCert(C.SC_LICENCE, "SC11442032300021", "竹山县市场监督管理局", 620),
        ],
    ),
    DemoSupplier(
        code="wudang-daocha",
        name="武当山道茶有限公司",
        county=County.WUDANGSHAN,
        short_name="武当道茶",
        kind="enterprise",
        uscc_seq=106,
        contact="周道明",
        phone="0719-5665888",
        households=185,
        poor_county=False,
        sc="SC11442038100046",
        description="武当道茶产自武当山麓的八仙观一带，茶园与道观相邻，以手工炒制的绿茶闻名。",
        bases=[
            DemoBase(
                "八仙观茶园",
                "武当山街道",
                "32.44210",
                "111.06230",
                "650",
                720,
                "绿茶（武当道茶）",
                plots="八仙观茶园一区\n八仙观茶园二区",
                scene="tea",
            ),
        ],
        certs=[
            DemoCert(C.ORGANIC, "114OP2100873", "中绿华夏有机产品认证中心", 210),
            DemoCert(C.GEOGRAPHICAL_INDICATION, "AGI01433", "农业农村部", 1100, name="武当道茶"),
            DemoCert(C.SC_LICENCE, "SC11442038100046", "丹江口市市场监督管理局", 840),
        ],
    ),
    DemoSupplier(
        code="danjiangkou-citrus-coop",
        name="丹江口市柑橘专业合作社",
        county=County.DANJIANGKOU,
        short_name="丹江柑橘",
        kind="cooperative",
        uscc_seq=107,
        contact="杨永红",
        phone="13508652760",
        households=645,
        description="合作社的橘园分布在丹江口水库沿岸，水库的水汽让冬天不那么冷，"
        "柑橘皮薄汁多。库区果园按水源保护要求控制化肥农药。",
        bases=[
            DemoBase(
                "习家店柑橘园",
                "习家店镇",
                "32.72140",
                "111.25310",
                "1250",
                240,
                "柑橘（蜜橘、脐橙）",
                water_source=True,
                plots="青塘村果园\n五龙池果园",
                scene="citrus",
            ),
            DemoBase(
                "石鼓柑橘园",
                "石鼓镇",
                "32.78230",
                "111.35120",
                "860",
                210,
                "柑橘",
                water_source=True,
                scene="citrus",
            ),
        ],
        certs=[
            DemoCert(C.GEOGRAPHICAL_INDICATION, "AGI00146", "农业农村部", 1400, name="丹江口柑橘"),
            DemoCert(C.GREEN_FOOD, "LB-18-2011120301A", "中国绿色食品发展中心", 300),
        ],
    ),
    DemoSupplier(
        code="danjiangkou-fishery",
        name="丹江口库区生态渔业有限公司",
        county=County.DANJIANGKOU,
        short_name="库区渔业",
        kind="enterprise",
        uscc_seq=108,
        contact="何建平",
        phone="13677258800",
        households=120,
        description="以“人放天养”方式在丹江口水库放流鱼苗、按季捕捞，不投饵、不施肥，守护一库清水。",
        bases=[
            DemoBase(
                "均县镇捕捞基地",
                "均县镇",
                "32.80250",
                "111.15140",
                "30000",
                170,
                "鳙鱼、鲢鱼、翘嘴鲌",
                water_source=True,
                plots="均县水域\n关门岩水域",
                scene="water",
            ),
        ],
        certs=[
            DemoCert(C.ORGANIC, "114OP2300141", "中绿华夏有机产品认证中心", 25),
        ],
    ),
    DemoSupplier(
        code="yunyang-olive-oil",
        name="郧阳区油橄榄开发有限公司",
        county=County.YUNYANG,
        short_name="郧阳橄榄油",
        kind="enterprise",
        uscc_seq=109,
        contact="吴志强",
        phone="13886817766",
        households=530,
        sc="SC10242030400012",
        description="在汉江沿岸的坡地上种植油橄榄，冷榨初榨橄榄油。基地在汉江水源保护区内，"
        "采用生草栽培和物理防虫。",
        bases=[
            DemoBase(
                "茶店油橄榄基地",
                "茶店镇",
                "32.80120",
                "110.72140",
                "2100",
                320,
                "油橄榄",
                water_source=True,
                plots="樱桃沟片区\n汉江坡地片区",
                scene="olive",
            ),
            DemoBase(
                "柳陂油橄榄基地",
                "柳陂镇",
                "32.76150",
                "110.70220",
                "950",
                260,
                "油橄榄",
                water_source=True,
                scene="olive",
            ),
        ],
        certs=[
            DemoCert(C.SC_LICENCE, "SC10242030400012", "十堰市郧阳区市场监督管理局", 500),
            DemoCert(C.GREEN_FOOD, "LB-05-2201120112A", "中国绿色食品发展中心", 400),
        ],
    ),
    DemoSupplier(
        code="yunxi-mountain-farm",
        name="郧西县山里人家家庭农场",
        county=County.YUNXI,
        short_name="山里人家",
        kind="family_farm",
        uscc_seq=110,
        contact="赵大山",
        phone="15972441388",
        households=24,
        description="上津古镇旁的山地农场，种红薯、做红薯粉条，也养土蜂。",
        bases=[
            DemoBase(
                "上津山地农场", "上津镇", "33.08120", "109.95240", "85", 430, "红薯、土蜂蜜", scene="field"
            ),
        ],
        certs=[
            DemoCert(C.GREEN_FOOD, "LB-10-2305120077A", "中国绿色食品发展中心", 700),
        ],
    ),
    DemoSupplier(
        code="zhangwan-orchard-coop",
        name="张湾区黄龙镇果蔬专业合作社",
        county=County.ZHANGWAN,
        short_name="黄龙果蔬",
        kind="cooperative",
        uscc_seq=111,
        contact="孙丽",
        phone="13593768022",
        households=176,
        poor_county=False,
        description="黄龙镇在堵河汇入汉江之处，合作社种植时令蔬菜与猕猴桃，供应十堰城区和北京。",
        bases=[
            DemoBase(
                "黄龙镇果蔬基地",
                "黄龙镇",
                "32.55130",
                "110.60210",
                "300",
                280,
                "猕猴桃、时令蔬菜",
                water_source=True,
                plots="堵河湾猕猴桃园\n蔬菜大棚区",
                scene="field",
            ),
        ],
        certs=[
            DemoCert(C.GREEN_FOOD, "LB-15-2108120207A", "中国绿色食品发展中心", 160),
        ],
    ),
    DemoSupplier(
        code="maojian-herb-coop",
        name="茅箭区中药材种植专业合作社",
        county=County.MAOJIAN,
        short_name="茅箭药材",
        kind="cooperative",
        uscc_seq=112,
        contact="郭振华",
        phone="13972439901",
        households=142,
        poor_county=False,
        description="在茅塔乡和大川镇的山地种植黄连、天麻、金银花等道地药材，按中药材GAP要求管理。",
        bases=[
            DemoBase(
                "茅塔药材基地", "茅塔乡", "32.45140", "110.90260", "240", 690, "天麻、黄连", scene="herbs"
            ),
            DemoBase("大川药材基地", "大川镇", "32.38150", "110.88120", "150", 820, "金银花", scene="herbs"),
        ],
        certs=[
            DemoCert(C.OTHER, "GAP-HB-2022-017", "湖北省农业农村厅", 600, name="中药材GAP基地"),
        ],
    ),
]


# --- Pictures -------------------------------------------------------------------------------------
SCENES = {
    # ground colour, row colour, accent colour
    "mushroom": ((92, 120, 70), (110, 80, 50), (196, 150, 100)),
    "tea": ((70, 140, 70), (40, 110, 50), (130, 190, 100)),
    "citrus": ((80, 130, 60), (50, 100, 45), (240, 150, 30)),
    "olive": ((150, 150, 110), (100, 120, 90), (80, 90, 60)),
    "water": ((70, 130, 170), (60, 110, 150), (230, 240, 250)),
    "field": ((150, 160, 80), (120, 140, 60), (200, 180, 90)),
    "herbs": ((90, 140, 90), (60, 110, 70), (230, 220, 120)),
    "winery": ((140, 110, 80), (110, 80, 60), (170, 60, 40)),
}


def _font(size: int):
    for path in (
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    ):
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return None


def draw_scene(scene: str, seed: int, size=(960, 640)) -> bytes:
    """A simple landscape: sky, hills, and rows of the crop in its colours. JPEG bytes."""
    rng = random.Random(seed)
    ground, rows, accent = SCENES.get(scene, SCENES["field"])
    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    horizon = int(height * rng.uniform(0.35, 0.45))
    for y in range(horizon):  # sky gradient
        t = y / horizon
        draw.line([(0, y), (width, y)], fill=(int(150 + 80 * t), int(190 + 50 * t), int(235 + 15 * t)))
    for layer in range(3):  # hills, far to near
        shade = tuple(max(0, c - 40 + layer * 20) for c in ground)
        points = [(0, height)]
        base = horizon - 60 + layer * 50
        for x in range(0, width + 80, 80):
            points.append((x, base + rng.randint(-40, 30)))
        points.append((width, height))
        draw.polygon(points, fill=shade)
    if scene == "water":
        draw.rectangle([0, horizon + 60, width, height], fill=ground)
        for _ in range(60):
            x, y = rng.randrange(width), rng.randrange(horizon + 70, height)
            draw.line([(x, y), (x + rng.randint(20, 60), y)], fill=accent, width=2)
    else:
        for i in range(9):  # rows converging to the horizon
            y = horizon + 80 + i * (height - horizon - 80) // 9
            draw.rectangle([0, y, width, y + 10 + i * 3], fill=rows)
            for _ in range(10 + i * 2):
                x = rng.randrange(width)
                r = 3 + i
                draw.ellipse([x - r, y - r, x + r, y + r], fill=accent)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=82)
    return buffer.getvalue()


def draw_logo(text: str, seed: int) -> bytes:
    rng = random.Random(seed)
    colour = rng.choice([(47, 107, 58), (29, 95, 138), (154, 91, 0), (120, 60, 110), (160, 50, 40)])
    image = Image.new("RGB", (256, 256), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.ellipse([8, 8, 248, 248], fill=colour)
    draw.ellipse([40, 150, 216, 232], fill=tuple(min(255, c + 60) for c in colour))
    font = _font(96)
    if font is not None:
        draw.text((128, 112), text[:2], fill=(255, 255, 255), font=font, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


# --- Seeding --------------------------------------------------------------------------------------
def _demo_password() -> str:
    try:
        from core.demo_accounts import DEMO_PASSWORD  # the accounts seed owns the shared demo password

        return DEMO_PASSWORD
    except (ImportError, AttributeError):
        return "shiyan-demo"


def _seed_supplier(data: DemoSupplier, index: int, today: datetime.date) -> Supplier:
    partner, _ = Partner.objects.get_or_create(code=data.code, defaults={"name": data.name})
    supplier, created = record_sync(
        Supplier,
        lookup={"partner": partner},
        values={
            "slug": partner.code,
            "legal_name": data.name,
            "short_name": data.short_name,
            "kind": data.kind,
            "uscc": _uscc(data),
            "county": data.county,
            "address": f"湖北省十堰市{COUNTY_ZH[data.county]}{data.bases[0].township}",
            "contact_name": data.contact,
            "phone": data.phone.replace("-", ""),
            "email": f"{data.code}@demo.shiyan.example",
            "description": data.description,
            "households_supported": data.households,
            "formerly_poor_county": data.poor_county,
            "processes_food": bool(data.sc),
            "food_licence_number": data.sc,
            "status": Supplier.Status.APPROVED,
            "status_reason": "演示数据",
        },
    )
    supplier.full_clean()
    if created or not supplier.status_changes.exists():
        SupplierStatusChange.objects.create(
            supplier=supplier, old_status="applied", new_status="approved", reason="演示数据"
        )
    if not supplier.logo:
        supplier.logo.save(f"{data.code}.png", ContentFile(draw_logo(data.short_name, index)), save=True)

    for number, demo_base in enumerate(data.bases):
        base, _ = record_sync(
            ProductionBase,
            lookup={"supplier": supplier, "name": demo_base.name},
            values={
                "county": demo_base.county or data.county,
                "township": demo_base.township,
                "latitude": demo_base.lat,
                "longitude": demo_base.lon,
                "area_mu": demo_base.area_mu,
                "altitude_m": demo_base.altitude_m,
                "main_crops": demo_base.crops,
                "in_water_source_protection_area": demo_base.water_source,
                "plot_names": demo_base.plots,
                "description": demo_base.description,
            },
        )
        base.full_clean()
        if not base.photos.exists():
            for photo_number, caption in enumerate(
                [demo_base.name, f"{demo_base.township} · {demo_base.crops}"]
            ):
                photo = BasePhoto(base=base, caption=caption, display_order=photo_number)
                seed = index * 100 + number * 10 + photo_number
                photo.image.save(
                    f"base-{seed}.jpg", ContentFile(draw_scene(demo_base.scene, seed)), save=True
                )

    for cert in data.certs:
        until = today + datetime.timedelta(days=cert.days_left)
        certification, _ = record_sync(
            Certification,
            lookup={"supplier": supplier, "kind": cert.kind, "number": cert.number},
            values={
                "name": cert.name,
                "issuer": cert.issuer,
                # Every demo certificate is already in force; only its end date varies.
                "valid_from": min(
                    until - datetime.timedelta(days=cert.days_valid), today - datetime.timedelta(days=60)
                ),
                "valid_until": until,
            },
        )
        certification.full_clean()
    return supplier


def _seed_coop_user(command=None) -> None:
    User = get_user_model()
    user = User.objects.filter(email__iexact=COOP_EMAIL).first()
    if user is None:
        user = User.objects.create_user(username=COOP_EMAIL, email=COOP_EMAIL, first_name="王德军")
    if not user.has_usable_password():
        user.set_password(_demo_password())
        user.save(update_fields=["password"])
    partner = Partner.objects.get(code=COOP_PARTNER)
    if not partner.users.filter(pk=user.pk).exists():
        partner.users.add(user)
    if not user.groups.filter(name=COOPERATIVE_GROUP).exists():
        user.groups.add(Group.objects.get(name=COOPERATIVE_GROUP))


def seed(command=None) -> None:
    today = timezone.localdate()
    for index, data in enumerate(SUPPLIERS, start=1):
        _seed_supplier(data, index, today)
    _seed_coop_user(command)
    if command is not None:
        bases = ProductionBase.objects.filter(supplier__partner__code__in=[s.code for s in SUPPLIERS]).count()
        command.stdout.write(
            f"  {len(SUPPLIERS)} suppliers, {bases} bases; {COOP_EMAIL} uses the portal of {COOP_PARTNER}"
        )
