namespace PerfSage.Model;

/// <summary>Sizes of <c>PerfSageNet</c>; recorded in the manifest (the weights only load into the same sizes).</summary>
public sealed record NetworkOptions
{
    /// <summary>Width of the learned op embedding.</summary>
    public int EmbeddingSize { get; init; } = 32;

    /// <summary>Width of the node embeddings (node MLP output and every SageConv layer).</summary>
    public int HiddenSize { get; init; } = 128;

    /// <summary>Number of SageConv layers (each residual, layer-normalised).</summary>
    public int LayerCount { get; init; } = 3;

    /// <summary>Width of the graph-feature MLP.</summary>
    public int GraphHiddenSize { get; init; } = 64;

    /// <summary>Hidden width of each head's node MLP.</summary>
    public int HeadHiddenSize { get; init; } = 64;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for sizes below 1 (layers may be 0).</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(EmbeddingSize, 1, nameof(EmbeddingSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(HiddenSize, 1, nameof(HiddenSize));
        ArgumentOutOfRangeException.ThrowIfNegative(LayerCount, nameof(LayerCount));
        ArgumentOutOfRangeException.ThrowIfLessThan(GraphHiddenSize, 1, nameof(GraphHiddenSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(HeadHiddenSize, 1, nameof(HeadHiddenSize));
    }
}
