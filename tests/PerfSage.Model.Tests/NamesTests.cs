using Xunit;

namespace PerfSage.Model.Tests;

public sealed class NamesTests
{
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
        Assert.Throws<ArgumentException>(() => HeadKey.ValidateTarget("my.board"));
        HeadKey.ValidateTarget("titan_rtx_256"); // the rule of TargetName: '_' and '-' are fine
        Assert.True(new HeadKey("a", Metric.FlashKb) < new HeadKey("b", Metric.LatencyMs));
        Assert.True(new HeadKey("a", Metric.LatencyMs) < new HeadKey("a", Metric.EnergyMj));
    }
}
