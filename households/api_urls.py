from django.urls import path

from households import api

urlpatterns = [
    path("families/", api.FamilyListApi.as_view(), name="api-family-list"),
    path("families/save/", api.FamilySaveApi.as_view(), name="api-family-save"),
    path("families/<int:family_id>/", api.FamilyDetailApi.as_view(), name="api-family-detail"),
    path("families/<int:family_id>/approve/", api.FamilyApproveApi.as_view(), name="api-family-approve"),
    path("families/<int:family_id>/return/", api.FamilyReturnApi.as_view(), name="api-family-return"),
    path("families/<int:family_id>/resubmit/", api.FamilyResubmitApi.as_view(), name="api-family-resubmit"),
    path("families/<int:family_id>/history/", api.FamilyHistoryApi.as_view(), name="api-family-history"),
    path("families/<int:family_id>/reveal/", api.IdentifierRevealApi.as_view(), name="api-family-reveal"),
    path("sls/<int:sls_id>/prelist/", api.PrelistApi.as_view(), name="api-prelist"),
    path("sls/<int:sls_id>/confirm/", api.SLSConfirmApi.as_view(), name="api-sls-confirm"),
    path("sls/<int:sls_id>/reopen/", api.SLSReopenApi.as_view(), name="api-sls-reopen"),
    path("prelist/<int:row_id>/status/", api.PrelistStatusApi.as_view(), name="api-prelist-status"),
    path("duplicates/", api.DuplicateListApi.as_view(), name="api-duplicates"),
    path("questionnaire/", api.questionnaire_index, name="questionnaire-index"),
    path(
        "questionnaire/<slug:form_id>/<slug:version>.json",
        api.questionnaire_definition,
        name="questionnaire-definition",
    ),
]
