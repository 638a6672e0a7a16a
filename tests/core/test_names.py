from django.contrib.auth import get_user_model

from core.names import full_name


def test_a_chinese_name_reads_family_name_first_without_a_space():
    assert full_name("老师", "郑") == "郑老师"
    assert full_name("小明", "王") == "王小明"
    assert full_name("", "郑") == "郑"


def test_a_latin_name_keeps_its_own_order():
    assert full_name("Anna", "Li") == "Anna Li"
    assert full_name(" Anna ", "") == "Anna"


def test_users_are_named_family_name_first():
    user = get_user_model()(first_name="老师", last_name="郑")
    assert user.get_full_name() == "郑老师"
