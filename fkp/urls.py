from django.urls import URLPattern, URLResolver, path

from fkp import views

app_name = "fkp"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("peringkat/<int:run_id>/", views.run_detail, name="run"),
    path("peringkat/<int:run_id>/daftar.csv", views.run_csv, name="run-csv"),
    path("peringkat/<int:run_id>/xlsx/", views.run_xlsx_request, name="run-xlsx"),
    path("peringkat/<int:run_id>/ulang/", views.run_rerank, name="rerank"),
    path("peringkat/<int:run_id>/kelurahan/<str:code>/", views.kelurahan_detail, name="kelurahan"),
    path("peringkat/<int:run_id>/kelurahan/<str:code>/kelompokkan/", views.kelurahan_group, name="group"),
    path("peringkat/<int:run_id>/kelurahan/<str:code>/daftar.csv", views.kelurahan_csv, name="kelurahan-csv"),
    path("peringkat/<int:run_id>/kelurahan/<str:code>/daftar.xlsx", views.kelurahan_xlsx, name="kelurahan-xlsx"),
    path("peringkat/<int:run_id>/kelurahan/<str:code>/pdf/", views.kelurahan_pdf_request, name="kelurahan-pdf"),
    path(
        "peringkat/<int:run_id>/kelurahan/<str:code>/usulan.csv",
        views.kelurahan_proposals_csv,
        name="kelurahan-proposals-csv",
    ),
    path("forum/<int:forum_id>/", views.forum_detail, name="forum"),
    path("forum/<int:forum_id>/pindah-sls/", views.forum_move, name="move"),
    path("forum/<int:forum_id>/jadwal/", views.forum_meeting, name="meeting"),
    path("forum/<int:forum_id>/selesai/", views.forum_held, name="held"),
    path("forum/<int:forum_id>/hasil/<int:ranked_id>/", views.outcome_save, name="outcome"),
    path("forum/<int:forum_id>/usulan/", views.proposal_add, name="proposal-add"),
    path("forum/<int:forum_id>/usulan/<int:proposal_id>/batal/", views.proposal_withdraw, name="proposal-withdraw"),
    path("forum/<int:forum_id>/daftar.csv", views.forum_csv, name="forum-csv"),
    path("forum/<int:forum_id>/daftar.xlsx", views.forum_xlsx, name="forum-xlsx"),
    path("forum/<int:forum_id>/usulan.csv", views.forum_proposals_csv, name="forum-proposals-csv"),
    path("forum/<int:forum_id>/pdf/", views.forum_pdf_request, name="forum-pdf"),
    path("berkas/<int:document_id>/", views.document_detail, name="document"),
    path("berkas/<int:document_id>/unduh/", views.document_download, name="document-download"),
]
