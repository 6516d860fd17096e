from django.db import migrations

# The 21 scenic areas where meetings are banned (中办、国办, 2014), as the seeds require
# (001; 004 §六.6 "国家明令禁止举办会议的风景名胜区"); administrators may edit the list.
PLACES = [
    "八达岭", "十三陵", "承德避暑山庄", "外八庙", "五台山", "太湖", "普陀山", "黄山", "九华山",
    "武夷山", "庐山", "泰山", "嵩山", "武当山", "武陵源", "张家界", "白云山", "漓江",
    "三亚热带海滨", "峨眉山", "乐山大佛", "九寨沟", "黄龙", "黄果树", "西双版纳", "华山",
]


def load(apps, schema_editor):
    model = apps.get_model("policy", "BannedPlace")
    for name in PLACES:
        model.objects.get_or_create(name=name, defaults={"note": "禁止举办会议的风景名胜区（2014）"})


class Migration(migrations.Migration):
    dependencies = [("policy", "0003_bannedplace")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
