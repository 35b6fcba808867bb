from django.db import migrations


def refold(apps, schema_editor):
    """Every person's search keys and name index folded again with today's
    ``names.name_keys``: OpenCC's simplified and old forms, 々 written out,
    the ヴ row as the バ row, more long vowels, and the two new keys (the
    reading without voicing, the name in romaji). Each municipality's own
    variant table counts. Anonymised persons keep their empty keys."""
    from tsunagu.people.names import VARIANT_KANJI, name_keys

    Person = apps.get_model("people", "Person")
    PersonNameGram = apps.get_model("people", "PersonNameGram")
    NameVariant = apps.get_model("people", "NameVariant")
    own: dict[int, dict[str, str]] = {}
    for municipality_id, variant, standard in NameVariant.objects.values_list(
        "municipality_id", "variant", "standard"
    ):
        own.setdefault(municipality_id, {})[variant] = standard
    fields = ["family_key", "name_key", "family_kana_key", "kana_key", "sound_key", "roman_key"]
    persons = Person.objects.exclude(name_key="", kana_key="").order_by("pk")
    batch = []

    def write(batch):
        Person.objects.bulk_update(batch, fields)
        PersonNameGram.objects.filter(person_id__in=[p.pk for p in batch]).delete()
        PersonNameGram.objects.bulk_create(
            [
                PersonNameGram(municipality_id=p.municipality_id, person_id=p.pk, gram=gram)
                for p in batch
                for gram in sorted(p.grams)
            ],
            batch_size=5000,
        )

    for person in persons.iterator(chunk_size=2000):
        variants = {**VARIANT_KANJI, **own.get(person.municipality_id, {})}
        keys = name_keys(
            person.family_name,
            person.given_name,
            person.family_name_kana,
            person.given_name_kana,
            variants,
        )
        for field in fields:
            setattr(person, field, getattr(keys, field))
        person.grams = keys.grams()
        batch.append(person)
        if len(batch) >= 2000:
            write(batch)
            batch = []
    if batch:
        write(batch)


class Migration(migrations.Migration):

    dependencies = [
        ("people", "0007_person_sound_and_roman_keys"),
    ]

    operations = [
        migrations.RunPython(refold, migrations.RunPython.noop),
    ]
