namespace PerfSage.Model;

/// <summary><c>metrics.json</c> of a model folder: held-out accuracy per head.</summary>
public sealed record ModelMetrics
{
    /// <summary>The split the numbers come from (<c>test</c>, or <c>val</c> when the data had no test split),
    /// or a data set's name for <c>perfsage eval</c>.</summary>
    public required string Split { get; init; }

    public required IReadOnlyList<HeadAccuracy> Heads { get; init; }
}

/// <summary>Accuracy of one head on held-out graphs.</summary>
public sealed record HeadAccuracy
{
    public required string Key { get; init; }
    public required string Target { get; init; }
    public required string Metric { get; init; }

    /// <summary>Labelled graphs the numbers are over.</summary>
    public required int Count { get; init; }

    /// <summary>Mean absolute percentage error, 100 · mean |ŷ − y| / y.</summary>
    public required double MapePercent { get; init; }

    /// <summary>Share of graphs with |ŷ − y| ≤ 5 % of y, in percent.</summary>
    public required double Within5PctPercent { get; init; }

    /// <summary>Share of graphs with |ŷ − y| ≤ 10 % of y, in percent.</summary>
    public required double Within10PctPercent { get; init; }

    /// <summary>Spearman rank correlation of ŷ and y (MathNet.Numerics); null below 2 graphs or for constant values.</summary>
    public required double? Spearman { get; init; }

    /// <summary>Kendall's τ-b of ŷ and y; null below 2 graphs or for constant values.</summary>
    public required double? KendallTau { get; init; }
}
