"""The sitemap: CMS pages (Wagtail's own), the shop's public products and categories, and suppliers.

Every URL is absolute on the Wagtail site's root URL (Settings → Sites), the same host Wagtail uses
for pages, so search engines see one consistent site.
"""

from urllib.parse import urlsplit

from wagtail.contrib.sitemaps import Sitemap as WagtailPageSitemap
from wagtail.models import Site

from cms import shop_data


class _ShopSitemap(WagtailPageSitemap):
    """Django sitemap of shop paths, made absolute on the Wagtail site's root URL."""

    limit = 5000

    def _root(self):
        site = Site.find_for_request(self.request) if self.request else None
        site = site or Site.objects.filter(is_default_site=True).first()
        return urlsplit(site.root_url) if site else None

    def get_urls(self, page=1, site=None, protocol=None):
        root = self._root()
        if root is None:
            return super(WagtailPageSitemap, self).get_urls(page=page, site=site, protocol=protocol)
        return self._urls(page, root.scheme, root.netloc)

    def _urls(self, page, protocol, domain):
        # Django's own implementation (Wagtail's expects pages).
        return super(WagtailPageSitemap, self)._urls(page, protocol, domain)

    def location(self, item):
        raise NotImplementedError


class ProductSitemap(_ShopSitemap):
    changefreq = "daily"
    priority = 0.8

    def items(self):
        return shop_data.product_sitemap_queryset()

    def location(self, product):
        return product.get_absolute_url()

    def lastmod(self, product):
        return product.lastmod


class CategorySitemap(_ShopSitemap):
    changefreq = "weekly"
    priority = 0.6

    def items(self):
        return shop_data.category_sitemap_queryset()

    def location(self, category):
        return category.get_absolute_url()

    def lastmod(self, category):
        return None


class SupplierSitemap(_ShopSitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return shop_data.supplier_sitemap_entries()

    def location(self, entry):
        return entry[0]

    def lastmod(self, entry):
        return entry[1]


SITEMAPS = {
    "pages": WagtailPageSitemap,
    "products": ProductSitemap,
    "categories": CategorySitemap,
    "suppliers": SupplierSitemap,
}
