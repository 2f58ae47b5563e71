"""The site's URLs plus one view that fails, to see the 500 page as a visitor would."""

from django.urls import path

from config import urls as site


def fault(request):
    raise RuntimeError("a fault with a secret detail")


urlpatterns = [path("fault/", fault), *site.urlpatterns]
handler400 = site.handler400
handler403 = site.handler403
handler404 = site.handler404
handler500 = site.handler500
