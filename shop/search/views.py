"""Product lists without a search index: all products, a category, search results.

Oscar's catalogue and search app configs load these by the names they expect
(``get_class("search.views", "CatalogueView" | "ProductCategoryView" | "FacetedSearchView")``).
All three are one ORM-backed list (``ProductListView``) that differs only in where its category
comes from and which template it renders; the reads live in ``catalogue.selectors``.
"""

from dataclasses import replace
from urllib.parse import unquote

from django.conf import settings
from django.http import Http404, HttpResponsePermanentRedirect
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView
from oscar.apps.search.signals import user_search
from oscar.core.loading import get_class

from catalogue import selectors
from core.page_cache import anonymous_page_cache
from core.places import County
from shop.search import index as search_index

SearchForm = get_class("search.forms", "SearchForm")


@method_decorator(anonymous_page_cache, name="dispatch")
class ProductListView(ListView):
    """A filtered, sorted, paginated list of browsable products.

    Bad input never fails the page: the form carries the message and the fields that validated
    still filter. A page number past the end shows the last page, a nonsense one the first.
    """

    form_class = SearchForm
    paginate_by = settings.OSCAR_PRODUCTS_PER_PAGE
    context_object_name = "products"
    summary = _("All products")

    def get(self, request, *args, **kwargs):
        self.category = self.get_category()
        self.form = self.get_form()
        self.form.is_valid()
        # Quality marks are checked against the one query that also counts them per mark.
        self.marks = selectors.quality_marks_with_counts(self.form.get_filters())
        self.form.check_marks({mark.code for mark in self.marks})
        self.filters = self.form.get_filters()
        self.sort = self.form.get_sort()
        return super().get(request, *args, **kwargs)

    def get_category(self):
        return None

    def get_form(self):
        return self.form_class(data=self.request.GET, category=self.category)

    def get_queryset(self):
        return selectors.product_list(filters=self.filters, sort=self.sort)

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size, allow_empty_first_page=True)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        page.object_list = selectors.products_for_cards(page.object_list)
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = selectors.county_counts(self.filters)
        context.update(
            form=self.form,
            filters=self.filters,
            query=self.filters.query,
            summary=self.summary,
            sort=self.sort,
            county_facets=[
                {"code": code, "name": label, "count": counts.get(code, 0)}
                for code, label in County.choices
                if counts.get(code) or code == self.filters.county
            ],
            mark_facets=[
                {
                    "code": mark.code,
                    "name": mark.name,
                    "count": mark.num_products,
                    "selected": mark.code in self.filters.marks,
                }
                for mark in self.marks
                if mark.num_products or mark.code in self.filters.marks
            ],
            has_filters=any(
                [
                    self.filters.county,
                    self.filters.marks,
                    self.filters.price_min is not None,
                    self.filters.price_max is not None,
                    self.category is None and self.filters.category is not None,
                ]
            ),
        )
        return context


class CatalogueView(ProductListView):
    """Every browsable product (``catalogue:index``)."""

    template_name = "oscar/catalogue/browse.html"


class ProductCategoryView(ProductListView):
    """The products of one category and the categories below it (``catalogue:category``)."""

    template_name = "oscar/catalogue/category.html"

    def get(self, request, *args, **kwargs):
        self.category = self.get_category()
        expected = self.category.get_absolute_url()
        if unquote(expected) != unquote(request.path):
            # Categories are found by primary key, so a renamed slug still lands here.
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(f"{expected}?{query}" if query else expected)
        return super().get(request, *args, **kwargs)

    def get_category(self):
        if getattr(self, "category", None) is not None:
            return self.category
        category = selectors.category_for_page(
            int(self.kwargs["pk"]), include_hidden=self.request.user.is_staff
        )
        if category is None:
            raise Http404(_("No such category."))
        return category

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["category"] = self.category
        context["summary"] = self.category.name
        context["subcategories"] = selectors.category_children(self.category)
        return context


class FacetedSearchView(ProductListView):
    """Search results (``search:search``): products whose title, brand, description, origin county,
    categories, pinyin or initials contain every word of ``q`` or one of its synonyms, best
    matches first.

    When nothing matches, the closest words products use are tried instead (xainggu → 香菇), saying
    so, with a link to search exactly what was typed (``exact=1``); when even that finds nothing,
    the page suggests those words and the categories.
    """

    template_name = "oscar/search/results.html"
    summary = _("Search")
    corrected_from = ""

    def get(self, request, *args, **kwargs):
        user_search.send(
            sender=self,
            session=request.session,
            user=request.user,
            query=request.GET.get("q", ""),
        )
        return super().get(request, *args, **kwargs)

    def paginate_queryset(self, queryset, page_size):
        result = super().paginate_queryset(queryset, page_size)
        paginator = result[0]
        if paginator.count or not self.filters.query or self.request.GET.get("exact"):
            return result
        corrected = self.corrected_query(self.filters.query)
        if not corrected:
            return result
        filters = replace(self.filters, query=corrected)
        retry = super().paginate_queryset(selectors.product_list(filters=filters, sort=self.sort), page_size)
        if not retry[0].count:
            return result
        self.corrected_from, self.filters = self.filters.query, filters
        return retry

    def corrected_query(self, query: str) -> str:
        """The query with each word that has a close match replaced by it ('' when none has)."""
        words, changed = [], False
        for term in selectors.search_terms(query):
            suggestions = search_index.corrections(term, limit=1)
            if suggestions:
                words.append(suggestions[0])
                changed = True
            else:
                words.append(term)
        return " ".join(words) if changed else ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["corrected_from"] = self.corrected_from
        if self.filters.query and not context["paginator"].count:
            words = []
            for term in selectors.search_terms(self.filters.query):
                words.extend(word for word in search_index.corrections(term) if word not in words)
            context["suggested_words"] = words[:6]
            context["suggested_categories"] = selectors.menu_categories()
        return context
