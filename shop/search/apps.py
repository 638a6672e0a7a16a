import oscar.apps.search.apps as apps


class SearchConfig(apps.SearchConfig):
    name = "shop.search"

    def ready(self):
        super().ready()
        from shop.search import signals  # noqa: F401  (keeps search documents current)
