"""Data: the synonyms buyers most often need, and a search document for every existing product."""

from django.db import migrations

#: One line per group of words a buyer uses for the same thing; staff edit them in the admin.
DEFAULT_SYNONYMS = [
    ("茶叶 茶 tea", "茶叶 is what people type; titles say 春茶, 贡茶, 绿茶"),
    ("蘑菇 菇 菌菇 食用菌 mushroom mushrooms", "蘑菇 finds every 菇"),
    ("香菇 花菇 冬菇 shiitake", "花菇 and 冬菇 are grades of 香菇"),
    ("香菇干 干香菇 干菇 香菇", "dried shiitake, however it is said"),
    ("橘子 桔子 柑橘 蜜橘 蜜桔 柑 橘 桔 orange oranges citrus", "桔 is the common way of writing 橘"),
    ("木耳 黑木耳 秋耳 fungus", ""),
    ("黄酒 老黄酒 wine", ""),
    ("橄榄油 橄榄 olive", ""),
    ("猕猴桃 奇异果 kiwi", ""),
    ("核桃 walnut walnuts", ""),
    ("蜂蜜 土蜂蜜 honey", ""),
]


def forwards(apps, schema_editor):
    SearchSynonym = apps.get_model("search", "SearchSynonym")
    SearchDocument = apps.get_model("search", "SearchDocument")
    Product = apps.get_model("catalogue", "Product")
    for words, note in DEFAULT_SYNONYMS:
        SearchSynonym.objects.get_or_create(words=words, defaults={"note": note})

    from shop.search.index import document_for

    for product in Product.objects.select_related("product_class").prefetch_related("categories"):
        text, vocabulary = document_for(product)
        SearchDocument.objects.update_or_create(product=product, defaults={"text": text, "vocabulary": vocabulary})


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_search_documents_synonyms"),
        ("catalogue", "0036_product_merchandising_order_index"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
