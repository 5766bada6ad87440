"""The public site's own pages (not Wagtail pages), in one list by subject; Vietnamese paths."""

from django.urls import path

from staff.views import accounts
from staff.views.attendance import checkin
from staff.views.calendars import calendar_feed, calendar_feed_reset_view, enrollment_ics
from staff.views.certificates import certificate_download, certificate_verify, certificate_verify_form
from staff.views.enrollment import answer_offer, cancel, enroll, my_training_page
from staff.views.exports import my_record_pdf, my_record_xlsx
from staff.views.feedback import enrollment_feedback
from staff.views.my_data import my_data, my_data_json, my_data_pdf
from staff.views.two_factor import two_factor_recovery, two_factor_setup, two_factor_verify

urlpatterns = [
    # accounts: activation from an invitation, forgotten and changed passwords, the official's profile
    path("dang-nhap/", accounts.SignInView.as_view(), name="login"),
    path("kich-hoat/gui-lai/", accounts.activation_resend, name="account_activation_resend"),
    path("kich-hoat/<str:token>/", accounts.activate, name="account_activate"),
    path("quen-mat-khau/", accounts.PasswordResetView.as_view(), name="password_reset"),
    path("quen-mat-khau/da-gui/", accounts.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("dat-lai-mat-khau/<uidb64>/<token>/", accounts.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("dat-lai-mat-khau/xong/", accounts.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("doi-mat-khau/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path("doi-mat-khau/xong/", accounts.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("ho-so-ca-nhan/", accounts.profile, name="profile"),
    # two-factor for staff
    path("bao-mat/hai-lop/cai-dat/", two_factor_setup, name="two_factor_setup"),
    path("bao-mat/hai-lop/xac-minh/", two_factor_verify, name="two_factor_verify"),
    path("bao-mat/hai-lop/ma-du-phong/", two_factor_recovery, name="two_factor_recovery"),
    # my data (Law 91/2025 on personal data)
    path("du-lieu-cua-toi/", my_data, name="my_data"),
    path("du-lieu-cua-toi.json", my_data_json, name="my_data_json"),
    path("du-lieu-cua-toi.pdf", my_data_pdf, name="my_data_pdf"),
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
