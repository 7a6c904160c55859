namespace PerfSage.Graph;

/// <summary>
/// What the graph keeps of a tensor's affine quantisation (real = scale · (q − zero_point)): enough
/// for features and for writing the tensor back, without the per-channel arrays.
/// </summary>
/// <param name="ScaleCount">Number of scales (1 per tensor, or one per channel).</param>
/// <param name="QuantizedDimension">The channel axis of per-channel scales (0 when per tensor).</param>
/// <param name="Scale">The first scale (0 when the scales are held in a tensor).</param>
/// <param name="ZeroPoint">The first zero point.</param>
public sealed record QuantizationSummary(int ScaleCount, int QuantizedDimension, float Scale, long ZeroPoint)
{
    /// <summary>Elements per block for block-wise quantisation (scales held in another tensor, whose
    /// element count is <see cref="ScaleCount"/>; <see cref="Scale"/> is then 0); 0 otherwise.</summary>
    public int BlockSize { get; init; }

    /// <summary>True when there is more than one scale (per channel or per block).</summary>
    public bool IsPerChannel => ScaleCount > 1;

    /// <summary>True for block-wise quantisation.</summary>
    public bool IsBlockwise => BlockSize > 0;

    /// <summary>One scale for the whole tensor.</summary>
    public static QuantizationSummary PerTensor(float scale, long zeroPoint) => new(1, 0, scale, zeroPoint);

    /// <summary><paramref name="channels"/> scales along <paramref name="dimension"/>, zero point 0
    /// (as converters write int8 weights).</summary>
    public static QuantizationSummary PerChannel(int channels, int dimension, float firstScale) =>
        new(channels, dimension, firstScale, 0);
}
