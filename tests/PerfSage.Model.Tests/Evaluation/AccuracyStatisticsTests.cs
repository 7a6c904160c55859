using Xunit;

namespace PerfSage.Model.Tests;

public sealed class AccuracyStatisticsTests
{
    private static readonly HeadKey Head = new("cortex-m7", Metric.LatencyMs);

    [Fact]
    public void Mape_and_shares_are_worked_out_by_hand()
    {
        // |ŷ − y| / y = 0.04, 0.1, 0.1, 0 → MAPE 6 %; within 5 %: 2 of 4; within 10 %: 4 of 4.
        HeadAccuracy a = AccuracyStatistics.Compute(Head, [1.04, 1.8, 4.4, 8], [1, 2, 4, 8]);
        Assert.Equal(4, a.Count);
        Assert.Equal(6, a.MapePercent, 9);
        Assert.Equal(50, a.Within5PctPercent);
        Assert.Equal(100, a.Within10PctPercent);
        Assert.Equal(1, a.Spearman!.Value, 12);
        Assert.Equal(1, a.KendallTau!.Value, 12);
        Assert.Equal("cortex-m7/latency_ms", a.Key);
        Assert.Equal("latency_ms", a.Metric);
    }

    [Fact]
    public void Rank_correlations_follow_their_definitions()
    {
        HeadAccuracy reversed = AccuracyStatistics.Compute(Head, [4, 3, 2, 1], [1, 2, 3, 4]);
        Assert.Equal(-1, reversed.Spearman!.Value, 12);
        Assert.Equal(-1, reversed.KendallTau!.Value, 12);
        // τ-b with one tie in x: n₀ = 6 pairs, n₁ = 1, n₂ = 0, C = 5, D = 0 → 5 / √(5·6).
        Assert.Equal(5 / Math.Sqrt(30), AccuracyStatistics.KendallTauB([1, 2, 2, 3], [1, 2, 3, 4]), 12);
        // One discordant pair of six: (6 − 2·1) / 6.
        Assert.Equal(4.0 / 6, AccuracyStatistics.KendallTauB([1, 2, 4, 3], [1, 2, 3, 4]), 12);
        // Spearman of [1,2,4,3] vs [1,2,3,4]: Σd² = 2, ρ = 1 − 6·2 / (4·15) = 0.8.
        Assert.Equal(0.8, AccuracyStatistics.Compute(Head, [1, 2, 4, 3], [1, 2, 3, 4]).Spearman!.Value, 12);
        // Undefined correlations are null, not NaN (JSON cannot hold NaN).
        HeadAccuracy one = AccuracyStatistics.Compute(Head, [2], [1]);
        Assert.Null(one.Spearman);
        Assert.Null(one.KendallTau);
        Assert.Equal(100, one.MapePercent, 12);
    }

    [Fact]
    public void Non_positive_true_values_are_refused()
    {
        Assert.Throws<ArgumentException>(() => AccuracyStatistics.Compute(Head, [1, 2], [1, 0]));
        Assert.Throws<ArgumentException>(() => AccuracyStatistics.Compute(Head, [1], [1, 2]));
    }
}
