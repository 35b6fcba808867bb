from django.db import migrations


def index_last_characters(apps, schema_editor):
    """The index now also holds the last character of each key alone
    (``names.name_grams``), so that one kana typed alone is found among the
    pieces that begin with it. A kanji alone was held already; a kana alone
    never was, so these rows are all new."""
    Person = apps.get_model("people", "Person")
    PersonNameGram = apps.get_model("people", "PersonNameGram")
    batch = []
    for person in Person.objects.only("id", "municipality_id", "name_key", "kana_key").iterator(
        chunk_size=2000
    ):
        last = {key[-1] for key in (person.name_key, person.kana_key) if key}
        batch += [
            PersonNameGram(municipality_id=person.municipality_id, person_id=person.pk, gram=gram)
            for gram in sorted(last)
            if "ぁ" <= gram <= "ゟ" or gram == "ー"  # kana (names._is_kana)
        ]
        if len(batch) >= 10_000:
            PersonNameGram.objects.bulk_create(batch)
            batch = []
    PersonNameGram.objects.bulk_create(batch)


class Migration(migrations.Migration):

    dependencies = [
        ("people", "0004_limit_free_text_lengths"),
    ]

    operations = [
        migrations.RunPython(index_last_characters, migrations.RunPython.noop),
    ]
