"""Oscar's basket views; adding to the basket names the product when it fails."""

from django.contrib import messages
from django.contrib.sessions.serializers import JSONSerializer
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from oscar.apps.basket.views import BasketAddView as CoreBasketAddView
from oscar.core.utils import redirect_to_referrer


class BasketAddView(CoreBasketAddView):
    def form_invalid(self, form):
        """Say which product was not added and why; the basket is left as it was.

        Oscar joins the bare field messages ("Enter a whole number."); a buyer who pressed
        "add" on a list page needs to know which product and what to change.
        """
        reasons = " ".join(capfirst(str(error)) for errors in form.errors.values() for error in errors)
        messages.error(
            self.request,
            _("“%(product)s” was not added to your basket. %(reasons)s")
            % {"product": self.product.get_title(), "reasons": reasons},
        )
        # As Oscar does: the product page shows the rejected input next to its error.
        serialized = JSONSerializer().dumps(self.request.POST)
        self.request.session[f"add_to_basket_form_post_data_{self.product.pk}"] = serialized.decode("latin-1")
        return redirect_to_referrer(self.request, "basket:summary")
