"""The score sparkline of the history page: coordinates and text alternative (no database)."""

from canvas.views.versions import sparkline


def test_no_versions_draw_nothing():
    spark = sparkline([])
    assert spark.dots == [] and spark.points == ""
    assert spark.summary == "No versions yet."


def test_one_version_is_a_centred_dot():
    spark = sparkline([(1, 100)], width=240, height=48)
    (dot,) = spark.dots
    assert (dot.x, dot.y) == ("120.0", "5.0")
    assert spark.summary == "One version: v1 scores 100."


def test_scores_run_left_to_right_with_0_at_the_bottom_and_100_at_the_top():
    spark = sparkline([(1, 0), (2, 50), (5, 100)], width=240, height=48)
    assert [(d.x, d.y, d.number) for d in spark.dots] == [
        ("5.0", "43.0", 1),
        ("120.0", "24.0", 2),
        ("235.0", "5.0", 5),
    ]
    assert spark.points == "5.0,43.0 120.0,24.0 235.0,5.0"
    assert spark.mid == "24.0"
    assert spark.summary == (
        "Score went from 0 at v1 to 100 at v5 over 3 versions; lowest 0, highest 100."
    )
