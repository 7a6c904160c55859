using Xunit;

namespace PerfSage.Model.Tests;

public sealed class NamesTests
{
    [Fact]
    public void Metric_names_are_the_label_columns()
    {
        Assert.Equal(["latency_ms", "energy_mj", "peak_ram_kb", "flash_kb"], MetricNames.All.Select(MetricNames.Name));
        Assert.True(MetricNames.TryParse("peak_ram_kb", out Metric m));
        Assert.Equal(Metric.PeakRamKb, m);
        Assert.False(MetricNames.TryParse("latency", out _));
        Assert.Throws<ArgumentException>(() => MetricNames.Parse("Latency_ms"));
    }

    [Fact]
    public void Head_keys_round_trip_and_reject_separators_in_targets()
    {
        var key = new HeadKey("ethos-u55-128", Metric.EnergyMj);
        Assert.Equal("ethos-u55-128/energy_mj", key.Key);
        Assert.Equal(key, HeadKey.Parse(key.Key));
        Assert.Throws<ArgumentException>(() => HeadKey.Parse("no-slash"));
        Assert.Throws<ArgumentException>(() => HeadKey.ValidateTarget("a.b"));
        Assert.Throws<ArgumentException>(() => HeadKey.ValidateTarget("a/b"));
        Assert.Throws<ArgumentException>(() => HeadKey.ValidateTarget(" "));
        Assert.True(new HeadKey("a", Metric.FlashKb) < new HeadKey("b", Metric.LatencyMs));
        Assert.True(new HeadKey("a", Metric.LatencyMs) < new HeadKey("a", Metric.EnergyMj));
    }

    [Fact]
    public void Hash_splits_are_stable_and_near_the_requested_fractions()
    {
        // Golden values worked out independently (FNV-1a 64 of the UTF-8 id, SplitMix64 finaliser, / 2^64-1,
        // computed in Python): m0 -> 0.119 (train), m22 -> validation, m9 -> 0.926 (test).
        Assert.Equal(Split.Train, Splits.ByHash("m0"));
        Assert.Equal(Split.Validation, Splits.ByHash("m22"));
        Assert.Equal(Split.Test, Splits.ByHash("m9"));
        int[] counts = new int[3];
        for (int i = 0; i < 10_000; i++)
        {
            counts[(int)Splits.ByHash($"m{i}")]++;
        }
        // 80/10/10 within ±2 percentage points on 10,000 ids.
        Assert.InRange(counts[0], 7_800, 8_200);
        Assert.InRange(counts[1], 800, 1_200);
        Assert.InRange(counts[2], 800, 1_200);
        Assert.True(Splits.TryParse("val", out Split s) && s == Split.Validation);
        Assert.True(Splits.TryParse("Test", out s) && s == Split.Test);
        Assert.False(Splits.TryParse("holdout", out _));
        Assert.Equal("val", Splits.Name(Split.Validation));
    }
}
