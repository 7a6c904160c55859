namespace PerfSage.Model;

/// <summary>What one finished epoch achieved; reported through <see cref="IProgress{T}"/> on the training thread.</summary>
public sealed record EpochReport
{
    /// <summary>1-based epoch number.</summary>
    public required int Epoch { get; init; }

    /// <summary>Epochs the run is set to (it may stop early).</summary>
    public required int EpochCount { get; init; }

    /// <summary>Mean |ln ŷ − ln y| over the training labels of the epoch (weights changing during it).</summary>
    public required double TrainLoss { get; init; }

    /// <summary>Mean |ln ŷ − ln y| over the validation labels after the epoch; null without validation data.</summary>
    public double? ValidationLoss { get; init; }

    /// <summary>Validation MAPE per head key (<c>target/metric</c>), in percent.</summary>
    public required IReadOnlyDictionary<string, double> ValidationMapePercent { get; init; }

    /// <summary>The learning rate used in the epoch.</summary>
    public required double LearningRate { get; init; }

    /// <summary>Wall time of the epoch's training pass, seconds.</summary>
    public required double TrainSeconds { get; init; }

    /// <summary>Training throughput of the epoch (graphs per second, forward + backward + step).</summary>
    public required double GraphsPerSecond { get; init; }

    /// <summary>True when this epoch has the lowest validation loss so far (its weights are the ones kept).</summary>
    public required bool IsBest { get; init; }
}
