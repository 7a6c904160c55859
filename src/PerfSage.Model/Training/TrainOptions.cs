namespace PerfSage.Model;

/// <summary>Settings of <see cref="Trainer.Train"/>. Defaults follow docs/MODEL.md.</summary>
public sealed record TrainOptions
{
    /// <summary>Most epochs to run.</summary>
    public int Epochs { get; init; } = 100;

    /// <summary>Graphs per optimiser step.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Adam's learning rate at epoch 1; it follows a cosine down to <see cref="MinLearningRate"/> at the last epoch.</summary>
    public double LearningRate { get; init; } = 3e-3;

    /// <summary>Learning rate of the last epoch.</summary>
    public double MinLearningRate { get; init; } = 1e-5;

    /// <summary>Adam's L2 weight decay.</summary>
    public double WeightDecay { get; init; }

    /// <summary>Gradients are rescaled to at most this global L2 norm (0 = no clipping).</summary>
    public double GradientClipNorm { get; init; } = 5.0;

    /// <summary>Seeds weight initialisation (<c>torch.manual_seed</c>) and the epoch shuffles (SplitMix64).</summary>
    public long Seed { get; init; }

    /// <summary>CPU threads for libtorch; 0 = one per core. Results are reproducible for a given seed and thread count.</summary>
    public int Threads { get; init; }

    /// <summary>Only train heads of these targets (null = every target with labels).</summary>
    public IReadOnlyCollection<string>? Targets { get; init; }

    /// <summary>Only train heads of these metrics (null = every metric with labels).</summary>
    public IReadOnlyCollection<Metric>? Metrics { get; init; }

    /// <summary>Stop after this many epochs without a lower validation loss (0 = never stop early).</summary>
    public int Patience { get; init; } = 20;

    /// <summary>Where to write a checkpoint after every epoch (null = no checkpoints).</summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>Continue from the newest checkpoint in <see cref="CheckpointDirectory"/> when there is one.</summary>
    public bool Resume { get; init; } = true;

    /// <summary><c>cpu</c> or <c>cuda</c>.</summary>
    public string Device { get; init; } = Devices.Cpu;

    /// <summary>Network sizes (ignored with <see cref="BaseModel"/>, whose sizes are kept).</summary>
    public NetworkOptions Network { get; init; } = new();

    /// <summary>
    /// Start from this model: its normalisation, trunk and heads are kept, heads for the targets in the new
    /// labels are added (or retrained). With <see cref="FreezeTrunk"/> only those heads learn, which is how
    /// a new board is fitted from a few measurements.
    /// </summary>
    public TrainedModel? BaseModel { get; init; }

    /// <summary>With <see cref="BaseModel"/>: train only the heads that have labels, not the trunk.</summary>
    public bool FreezeTrunk { get; init; }

    /// <summary>Graphs per forward pass when evaluating (validation, held-out metrics).</summary>
    public int EvaluationBatchSize { get; init; } = 256;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Epochs, 1, nameof(Epochs));
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(EvaluationBatchSize, 1, nameof(EvaluationBatchSize));
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate) || !(MinLearningRate >= 0) || MinLearningRate > LearningRate)
        {
            throw new ArgumentOutOfRangeException(nameof(LearningRate), $"need 0 ≤ min learning rate ({MinLearningRate}) ≤ learning rate ({LearningRate}), learning rate > 0");
        }
        if (!(WeightDecay >= 0) || !double.IsFinite(WeightDecay))
        {
            throw new ArgumentOutOfRangeException(nameof(WeightDecay), $"weight decay {WeightDecay} must be a finite number, 0 or more");
        }
        if (!(GradientClipNorm >= 0) || !double.IsFinite(GradientClipNorm))
        {
            throw new ArgumentOutOfRangeException(nameof(GradientClipNorm), $"gradient clip norm {GradientClipNorm} must be a finite number, 0 or more");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(Threads, nameof(Threads));
        ArgumentOutOfRangeException.ThrowIfNegative(Patience, nameof(Patience));
        if (FreezeTrunk && BaseModel is null)
        {
            throw new ArgumentException("FreezeTrunk needs a BaseModel to take the trunk from", nameof(FreezeTrunk));
        }
        Network.Validate();
    }
}
