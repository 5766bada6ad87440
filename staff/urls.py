"""The public site's own pages (not Wagtail pages), in one list by subject; Vietnamese paths."""

from django.urls import path

from staff.views.attendance import checkin
from staff.views.calendars import calendar_feed, calendar_feed_reset_view, enrollment_ics
from staff.views.certificates import certificate_download, certificate_verify, certificate_verify_form
from staff.views.enrollment import answer_offer, cancel, enroll, my_training_page
from staff.views.exports import my_record_pdf, my_record_xlsx
from staff.views.feedback import enrollment_feedback

urlpatterns = [
    # enrollment
    path("khoa-hoc-cua-toi/", my_training_page, name="my_training"),
    path("dang-ky/<int:session_id>/", enroll, name="enroll"),
    path("ghi-danh/<int:pk>/huy/", cancel, name="enrollment_cancel"),
    path("ghi-danh/<int:pk>/tra-loi/", answer_offer, name="offer_answer"),
    # attendance
    path("diem-danh/<int:session_id>/", checkin, name="checkin"),
    # feedback
    path("ghi-danh/<int:pk>/danh-gia/", enrollment_feedback, name="enrollment_feedback"),
    # calendars
    path("lich/dat-lai/", calendar_feed_reset_view, name="calendar_feed_reset"),
    path("lich/<str:token>.ics", calendar_feed, name="calendar_feed"),
    path("ghi-danh/<int:pk>/lich.ics", enrollment_ics, name="enrollment_ics"),
    # certificates
    path("xac-minh/", certificate_verify_form, name="certificate_verify_form"),
    path("xac-minh/<str:code>/", certificate_verify, name="certificate_verify"),
    path("chung-chi/<int:pk>/pdf/", certificate_download, name="certificate_download"),
    # exports: the official's own personnel training record
    path("ho-so-boi-duong.pdf", my_record_pdf, name="my_record_pdf"),
    path("ho-so-boi-duong.xlsx", my_record_xlsx, name="my_record_xlsx"),
]
