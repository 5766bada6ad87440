"""The public site's own pages (not Wagtail pages): enrolling, my training, certificates, calendars."""

from .views import calendars, certificates, enrollment, feedback, records

urlpatterns = [*enrollment.urlpatterns, *certificates.urlpatterns, *calendars.urlpatterns, *records.urlpatterns,
               *feedback.urlpatterns]
