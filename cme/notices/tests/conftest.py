import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cme.core.tests.files import docx_bytes
from cme.notices import actions
from cme.notices.models import Notice

PDF = b"%PDF-1.4\n%test\n"


def upload(name: str = "申请表.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def draft(cast, key: str = "changsha", audience: str = Notice.Audience.SCOPE, **extra) -> Notice:
    return actions.create_notice(
        actor=cast.users[key],
        title=extra.pop("title", "关于做好{k}继续医学教育工作的通知".format(k=key)),
        body=extra.pop("body", "各单位：\n\n现将有关事项通知如下。"),
        audience=audience,
        **extra,
    )


def published(cast, key: str = "changsha", audience: str = Notice.Audience.SCOPE, **extra):
    notice = draft(cast, key, audience, **extra)
    return actions.publish_notice(notice, actor=cast.users[key])


@pytest.fixture
def changsha_notice(cast) -> Notice:
    """Changsha publishes to its scope, with a PDF and a Word template."""
    notice = draft(cast, "changsha", document_number="长卫科教发〔2024〕3号")
    actions.add_attachment(notice, actor=cast.users["changsha"], file=upload())
    actions.add_attachment(
        notice,
        actor=cast.users["changsha"],
        file=upload("计划申请表.docx", docx_bytes()),
        is_template=True,
    )
    return actions.publish_notice(notice, actor=cast.users["changsha"])


@pytest.fixture
def public_notice(cast) -> Notice:
    notice = draft(cast, "province", Notice.Audience.PUBLIC, title="湖南省公开通知")
    actions.add_attachment(notice, actor=cast.users["province"], file=upload("公开附件.pdf"))
    return actions.publish_notice(notice, actor=cast.users["province"])
