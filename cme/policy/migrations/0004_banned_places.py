from django.db import migrations

# The 21 scenic areas where meetings are banned (中办、国办, 2014), as the seeds require
# (001; 004 §六.6 "国家明令禁止举办会议的风景名胜区"); administrators may edit the list.
PLACES = {  # name: province code (a session's region must lie in it for the name to count)
    "八达岭": "110000", "十三陵": "110000", "承德避暑山庄": "130000", "外八庙": "130000",
    "五台山": "140000", "太湖": "320000", "普陀山": "330000", "黄山": "340000", "九华山": "340000",
    "武夷山": "350000", "庐山": "360000", "泰山": "370000", "嵩山": "410000", "武当山": "420000",
    "武陵源": "430000", "张家界": "430000", "白云山": "440000", "漓江": "450000",
    "三亚热带海滨": "460000", "峨眉山": "510000", "乐山大佛": "510000", "九寨沟": "510000",
    "黄龙": "510000", "黄果树": "520000", "西双版纳": "530000", "华山": "610000",
}


def load(apps, schema_editor):
    model = apps.get_model("policy", "BannedPlace")
    for name, province in PLACES.items():
        model.objects.get_or_create(
            name=name, defaults={"region_id": province, "note": "禁止举办会议的风景名胜区（2014）"}
        )


class Migration(migrations.Migration):
    dependencies = [("policy", "0003_bannedplace"), ("orgs", "0002_load_regions")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
