namespace PerfSage.Targets;

/// <summary>How Vela runs an operator on the NPU (its <c>NpuBlockType</c>), plus operators it removes.</summary>
internal enum NpuBlockType
{
    ConvolutionMxN,
    Depthwise,
    VectorProduct,
    Pooling,
    Elementwise,
    /// <summary>Removed by Vela (RESHAPE, SQUEEZE, EXPAND_DIMS, SHAPE): no command, no traffic.</summary>
    Elided,
    /// <summary>U85 operators Vela runs as a DMA or costs without compute cycles (GATHER, SCATTER_ND, TILE, RESIZE):
    /// traffic only (<c>EthosU85Performance::MeasureCycleCost</c> gives them 0 op cycles).</summary>
    Dma,
}

/// <summary>Which column of the output-stage table applies.</summary>
internal enum NpuOutputKind
{
    Conv,
    AddSub,
    Mul,
    MaxPool,
}

/// <summary>Which column of the activation table applies.</summary>
internal enum NpuActivation
{
    None,
    Relu,
    Lut,
}

/// <summary>A feature-map shape as the NPU sees it (batch folded away).</summary>
internal readonly record struct Shape3(int H, int W, int C)
{
    public long Elements => (long)H * W * C;

    public static Shape3 Min(Shape3 a, Shape3 b) => new(Math.Min(a.H, b.H), Math.Min(a.W, b.W), Math.Min(a.C, b.C));
}

/// <summary>One operator lowered to what the Ethos-U performance model needs.</summary>
internal struct NpuOp
{
    public NpuBlockType Type;
    public Shape3 Ifm;
    /// <summary>The second operand of a binary elementwise op (default when none).</summary>
    public Shape3 Ifm2;
    public Shape3 Ofm;
    public int KernelH;
    public int KernelW;
    public int StrideH;
    public int StrideW;
    public int DilationH;
    public int DilationW;
    public int IfmBits;
    public int OfmBits;
    public NpuOutputKind Output;
    public NpuActivation Activation;
    /// <summary>Constant weight bytes as stored in the model (int8).</summary>
    public long WeightBytes;
    /// <summary>Output channels that carry a packed scale and bias (conv, depthwise, FC).</summary>
    public int BiasChannels;
    /// <summary>How many NPU passes the operator decomposes into (1 for most).</summary>
    public int Passes;
    /// <summary>True when the IFM (OFM) is in NHWC layout (graph boundary or CPU operator next to it);
    /// Vela keeps the other NPU feature maps in NHCWB16 bricks.</summary>
    public bool IfmNhwc;
    public bool OfmNhwc;

    public readonly bool HasIfm2 => Ifm2.C > 0;

    public readonly int DilatedKernelH => (KernelH - 1) * DilationH + 1;

    public readonly int DilatedKernelW => (KernelW - 1) * DilationW + 1;

    public readonly bool IsEqualDepth => Type is NpuBlockType.Depthwise or NpuBlockType.Pooling or NpuBlockType.Elementwise;
}
