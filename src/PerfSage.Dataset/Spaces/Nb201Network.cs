using PerfSage.Graph;
using PerfSage.Tflite;

namespace PerfSage.Dataset.Spaces;

/// <summary>
/// Builds the NAS-Bench-201 CIFAR-10 network of a genotype as a TFLite converter leaves it: batch norm folded
/// into convolutions, constant parts folded, dead parts removed, identical parameter-free ops merged.
/// <para>Network (NB201 README): 3×3 conv stem (16 channels, BN folded, no activation); three stages of five
/// cells at 16, 32, 64 channels (32×32, 16×16, 8×8); between stages a residual block: RELU → 3×3/2 CONV →
/// RELU → 3×3 CONV, plus AVERAGE_POOL 2×2/2 → 1×1 CONV, ADD; head: BN + ReLU (MUL and ADD by per-channel
/// constants, ReLU fused into the ADD), MEAN over height and width, FULLY_CONNECTED 10, SOFTMAX.
/// The ReLU before each convolution is a RELU op of its own (one per tensor: the edges leaving a node share
/// it, as common-subexpression elimination leaves them); a 3×3 average pool of a tensor is also emitted once.</para>
/// <para>Folding. Each node value is <b>live</b> (depends on the input), or a constant: <b>zero</b>, a
/// <b>per-channel</b> constant, or a <b>spatial</b> one. <c>none</c> edges add nothing; a node without live
/// inputs is constant; skip and average pool keep a constant's kind (the pool excludes padding); a BN-folded
/// convolution of zero gives its bias (per-channel), a 1×1 convolution keeps per-channel, a 3×3 one makes a
/// per-channel constant spatial (its zero padding differs at the border). A live node's constant part is
/// folded into the bias of one of its convolutions when it is per-channel and there is one, and otherwise
/// costs an ADD with a constant tensor ([C] or [1,H,W,C]). Nodes that do not reach the cell output are
/// removed. When a cell's output is constant, every later cell, block and the classifier are constant too:
/// the converter folds the whole network and the graph has no operators, only the input and a constant
/// [1,10] output (341 of the 15,625 genotypes). When the last feature map is a convolution read by nothing
/// else, the head's BN folds into it and its ReLU fuses into it.</para>
/// </summary>
internal static class Nb201Network
{
    public const int Classes = 10;

    private static readonly int[] StageChannels = [16, 32, 64];
    private const int CellsPerStage = 5;
    private const int Resolution = 32;

    private enum Kind
    {
        Zero,
        Channel,
        Spatial,
        Live,
    }

    /// <summary>The graph of <paramref name="arch"/> in <paramref name="variant"/> (float32 or int8).</summary>
    public static OpGraph Build(Nb201Arch arch, DTypeVariant variant, string name, int batch = 1)
    {
        var plan = CellPlan.Of(arch);
        if (!plan.OutputIsLive)
        {
            return Folded(name, variant, batch);
        }
        var probe = new Emitter(plan, fuseConv: -1, batch);
        OpGraph graph = NetBuilder.Build(name, variant, false, probe.Emit);
        if (probe.HeadConv < 0)
        {
            return graph;
        }
        var fused = new Emitter(plan, probe.HeadConv, batch);
        return NetBuilder.Build(name, variant, false, fused.Emit);
    }

    /// <summary>
    /// The network of <paramref name="arch"/> as an eager framework runs the NAS-Bench-201 reference code (the
    /// PyTorch cell that the published latency tables were measured with): every edge of every cell executes,
    /// whether or not its result reaches the output. <c>none</c> is a multiplication by zero (one MUL by a scalar
    /// 0 per edge), <c>skip_connect</c> is the identity (no op), <c>avg_pool_3x3</c> is one AVERAGE_POOL per edge
    /// and each convolution edge has its own RELU before its CONV_2D (each edge is its own module, so nothing is
    /// shared). A node sums its incoming edges left to right (node i: i − 1 ADDs). Stem, reduction blocks and
    /// classifier are those of <see cref="Build"/>. Batch norm is folded into the convolutions as in
    /// <see cref="Build"/> (an assumption: eager inference runs it as a kernel of its own, one per convolution,
    /// which a per-convolution cost absorbs). Evidence that these are the executed semantics: on
    /// gold_6226, titan_rtx_1 and 1080ti_1 of the NB201 table, a linear fit on which op sits on each of the six
    /// edges reaches Spearman 0.98-0.99 (900 training architectures), and only 0.89-0.90 when the edges that a
    /// converter removes are left out (docs/MODEL.md, "New heads").
    /// </summary>
    public static OpGraph BuildEager(Nb201Arch arch, DTypeVariant variant, string name, int batch = 1) =>
        NetBuilder.Build(name, variant, false, n => EmitEager(n, arch, pruned: false, batch));

    /// <summary>
    /// The eager network of <see cref="BuildEager"/> after dead-code elimination only: a <c>none</c> edge is
    /// absent (no MUL), a node that no non-<c>none</c> edge reads on the way to the cell output is removed with
    /// its edges, and every other edge runs, including the operations that read a node without inputs (an
    /// all-zero node, a constant zero tensor [1,H,W,C] here, so some ops read only constants; a converter would
    /// fold them away). One exception: a removed node whose value is a single convolution keeps it (RELU +
    /// CONV_2D, added into the first kept node that reads it through a <c>none</c> edge, which may itself be a
    /// node kept for this reason), as if the multiplication by zero had been folded into the convolution's
    /// weights. A cell whose output does not depend on its input folds the whole network, as in
    /// <see cref="Build"/>.
    /// <para>This is an empirical model of the raspi4 (HW-NAS-Bench, TFLite) column of the NB201 table, not a
    /// documented runtime (medians over all pairs of architectures; scripts/nb201-ceiling --marginals;
    /// docs/MODEL.md, "New heads"): turning an edge from <c>none</c> into an op costs the same whether or not its
    /// source node depends on the cell input (a 3×3 average pool on edge 3←1: +0.13 in ln latency either way);
    /// turning edge 3←2 into a skip costs +0.31 when node 2 depends on the input (it is no longer removed),
    /// against +0.01 on the edges whose source is read anyway; among architectures with the same network once
    /// such nodes are removed, a removed node that is one 3×3 convolution costs +0.53 and one 1×1 convolution
    /// +0.11, while removed pools, skips and sums cost nothing (−0.01 to 0.00).</para>
    /// </summary>
    public static OpGraph BuildPruned(Nb201Arch arch, DTypeVariant variant, string name, int batch = 1) =>
        arch.IsConnected ? NetBuilder.Build(name, variant, false, n => EmitEager(n, arch, pruned: true, batch)) : Folded(name, variant, batch);

    private static OpGraph Folded(string name, DTypeVariant variant, int batch) =>
        NetBuilder.Build(name, variant, false, n =>
        {
            n.Input(batch, Resolution, Resolution, 3);
            n.ConstantOutput(batch, Classes);
        });

    private static void EmitEager(NetBuilder n, Nb201Arch arch, bool pruned, int batch)
    {
        // Which nodes reach the cell output through non-none edges (all of them when nothing is pruned).
        Span<bool> used = [true, !pruned, !pruned, true];
        for (int i = 3; i >= 1 && pruned; i--)
        {
            for (int j = 0; j < i; j++)
            {
                used[j] |= used[i] && arch.Op(i, j) != Nb201Op.None;
            }
        }
        // Pruned: a node read only by none edges whose value is one convolution keeps that convolution (its
        // multiplication by zero folds into the weights, so the zero result is still computed); it is added into
        // the first used node that reads it. Node 2 first, as its convolution may read node 1.
        Span<int> zeroReader = [-1, -1, -1, -1];
        for (int j = 2; j >= 1 && pruned; j--)
        {
            int inputs = 0;
            int source = -1;
            for (int k = 0; k < j; k++)
            {
                if (arch.Op(j, k) != Nb201Op.None)
                {
                    inputs++;
                    source = k;
                }
            }
            if (used[j] || inputs != 1 || arch.Op(j, source) is not (Nb201Op.Conv1x1 or Nb201Op.Conv3x3))
            {
                continue;
            }
            for (int i = j + 1; i <= 3 && zeroReader[j] < 0; i++)
            {
                zeroReader[j] = used[i] ? i : -1;
            }
            used[j] = true;
            used[source] = true;
        }
        int x = n.Input(batch, Resolution, Resolution, 3);
        x = n.Conv(x, StageChannels[0], 3, 3, 1, 1, Activation.None);
        int size = Resolution;
        for (int stage = 0; stage < StageChannels.Length; stage++)
        {
            int channels = StageChannels[stage];
            if (stage > 0)
            {
                int a = n.Conv(n.Relu(x), channels, 3, 3, 2, 2, Activation.None);
                int b = n.Conv(n.Relu(a), channels, 3, 3, 1, 1, Activation.None);
                int shortcut = n.Conv(n.AveragePool(x, 2, 2, 2, 2, Padding.Valid), channels, 1, 1, 1, 1, Activation.None);
                x = n.Add(b, shortcut);
                size /= 2;
            }
            for (int cell = 0; cell < CellsPerStage; cell++)
            {
                Span<int> node = [x, -1, -1, -1];
                for (int i = 1; i <= 3; i++)
                {
                    if (!used[i])
                    {
                        continue;
                    }
                    int sum = -1;
                    for (int j = 0; j < i; j++)
                    {
                        if (pruned && arch.Op(i, j) == Nb201Op.None)
                        {
                            if (zeroReader[j] == i)
                            {
                                sum = sum < 0 ? node[j] : n.Add(sum, node[j]);
                            }
                            continue;
                        }
                        if (node[j] < 0)
                        {
                            node[j] = n.Constant(batch, size, size, channels); // a used node without inputs: zeros
                        }
                        int term = arch.Op(i, j) switch
                        {
                            Nb201Op.None => n.Mul(node[j], n.Constant()),
                            Nb201Op.SkipConnect => node[j],
                            Nb201Op.AvgPool3x3 => n.AveragePool(node[j], 3, 3, 1, 1, Padding.Same),
                            Nb201Op.Conv1x1 => n.Conv(n.Relu(node[j]), channels, 1, 1, 1, 1, Activation.None),
                            _ => n.Conv(n.Relu(node[j]), channels, 3, 3, 1, 1, Activation.None),
                        };
                        sum = sum < 0 ? term : n.Add(sum, term);
                    }
                    node[i] = sum;
                }
                x = node[3];
            }
        }
        int scaled = n.Mul(x, n.Constant(StageChannels[^1]));
        x = n.Add(scaled, n.Constant(StageChannels[^1]), Activation.Relu);
        x = n.Mean(x, [1, 2], keepDims: false);
        x = n.FullyConnected(x, Classes, Activation.None);
        n.Output(n.Softmax(x));
    }

    /// <summary>What one cell genotype computes once folded: node kinds, which nodes are used, their live
    /// terms and constant parts.</summary>
    private sealed class CellPlan
    {
        private CellPlan(Nb201Arch arch)
        {
            Arch = arch;
        }

        public Nb201Arch Arch { get; }

        public Kind[] Kinds { get; } = new Kind[4];

        /// <summary>Constant part of each node (Zero when none).</summary>
        public Kind[] Constant { get; } = new Kind[4];

        public bool[] Used { get; } = new bool[4];

        public bool OutputIsLive => Kinds[3] == Kind.Live;

        public static CellPlan Of(Nb201Arch arch)
        {
            var p = new CellPlan(arch);
            p.Kinds[0] = Kind.Live;
            for (int i = 1; i <= 3; i++)
            {
                bool live = false;
                Kind constant = Kind.Zero;
                for (int j = 0; j < i; j++)
                {
                    Nb201Op op = arch.Op(i, j);
                    if (op == Nb201Op.None)
                    {
                        continue;
                    }
                    if (p.Kinds[j] == Kind.Live)
                    {
                        live = true;
                        continue;
                    }
                    Kind c = (p.Kinds[j], op) switch
                    {
                        (Kind.Zero, Nb201Op.Conv1x1 or Nb201Op.Conv3x3) => Kind.Channel,
                        (Kind.Zero, _) => Kind.Zero,
                        (Kind.Channel, Nb201Op.Conv3x3) => Kind.Spatial,
                        (Kind.Channel, _) => Kind.Channel,
                        _ => Kind.Spatial,
                    };
                    constant = (Kind)Math.Max((int)constant, (int)c);
                }
                p.Kinds[i] = live ? Kind.Live : constant;
                p.Constant[i] = live ? constant : Kind.Zero;
            }
            p.Used[3] = p.OutputIsLive;
            for (int i = 3; i >= 1; i--)
            {
                if (!p.Used[i])
                {
                    continue;
                }
                for (int j = 0; j < i; j++)
                {
                    if (arch.Op(i, j) != Nb201Op.None && p.Kinds[j] == Kind.Live)
                    {
                        p.Used[j] = true;
                    }
                }
            }
            return p;
        }
    }

    /// <summary>Emits the live network, counting convolutions and tensor reads so a second run can fuse the
    /// head's BN + ReLU into the convolution producing the last feature map when nothing else reads it.</summary>
    private sealed class Emitter(CellPlan plan, int fuseConv, int batch)
    {
        private readonly Dictionary<int, int> _relu = [];
        private readonly Dictionary<int, int> _pool = [];
        private readonly Dictionary<int, int> _reads = [];
        private readonly Dictionary<int, int> _convOrdinal = [];
        private NetBuilder _n = null!;
        private int _convs;

        /// <summary>After a run: the ordinal of the convolution whose output is the last feature map and is read
        /// by nothing else, or -1.</summary>
        public int HeadConv { get; private set; } = -1;

        public void Emit(NetBuilder n)
        {
            _n = n;
            _relu.Clear();
            _pool.Clear();
            _reads.Clear();
            _convOrdinal.Clear();
            _convs = 0;

            int x = n.Input(batch, Resolution, Resolution, 3);
            x = Conv(x, StageChannels[0], 3, 1);
            int size = Resolution;
            for (int stage = 0; stage < StageChannels.Length; stage++)
            {
                int channels = StageChannels[stage];
                if (stage > 0)
                {
                    x = Reduction(x, channels);
                    size /= 2;
                }
                for (int cell = 0; cell < CellsPerStage; cell++)
                {
                    x = Cell(x, channels, size);
                }
            }

            HeadConv = _convOrdinal.TryGetValue(x, out int ordinal) && Reads(x) == 0 ? ordinal : -1;
            if (HeadConv < 0)
            {
                int scaled = n.Mul(Read(x), n.Constant(StageChannels[^1]));
                x = n.Add(Read(scaled), n.Constant(StageChannels[^1]), Activation.Relu);
            }
            x = n.Mean(Read(x), [1, 2], keepDims: false);
            x = n.FullyConnected(Read(x), Classes, Activation.None);
            n.Output(n.Softmax(Read(x)));
        }

        private int Cell(int input, int channels, int size)
        {
            Nb201Arch arch = plan.Arch;
            Span<int> node = [input, -1, -1, -1];
            for (int i = 1; i <= 3; i++)
            {
                if (!plan.Used[i])
                {
                    continue;
                }
                int sum = -1;
                bool hasConv = false;
                for (int j = 0; j < i; j++)
                {
                    Nb201Op op = arch.Op(i, j);
                    if (op == Nb201Op.None || plan.Kinds[j] != Kind.Live)
                    {
                        continue;
                    }
                    int term = op switch
                    {
                        Nb201Op.SkipConnect => node[j],
                        Nb201Op.AvgPool3x3 => Pool(node[j]),
                        Nb201Op.Conv1x1 => Conv(ReluOf(node[j]), channels, 1, 1),
                        _ => Conv(ReluOf(node[j]), channels, 3, 1),
                    };
                    hasConv |= op is Nb201Op.Conv1x1 or Nb201Op.Conv3x3;
                    sum = sum < 0 ? term : _n.Add(Read(sum), Read(term));
                }
                Kind constant = plan.Constant[i];
                if (constant == Kind.Spatial || (constant == Kind.Channel && !hasConv))
                {
                    int c = constant == Kind.Channel ? _n.Constant(channels) : _n.Constant(1, size, size, channels);
                    sum = _n.Add(Read(sum), c);
                }
                node[i] = sum;
            }
            return node[3];
        }

        private int Reduction(int x, int channels)
        {
            int a = Conv(ReluOf(x), channels, 3, 2);
            int b = Conv(ReluOf(a), channels, 3, 1);
            int pooled = _n.AveragePool(Read(x), 2, 2, 2, 2, Padding.Valid);
            int shortcut = Conv(pooled, channels, 1, 1);
            return _n.Add(Read(b), Read(shortcut));
        }

        private int Conv(int x, int channels, int kernel, int stride)
        {
            int ordinal = _convs++;
            Activation act = ordinal == fuseConv ? Activation.Relu : Activation.None;
            int y = _n.Conv(Read(x), channels, kernel, kernel, stride, stride, act);
            _convOrdinal[y] = ordinal;
            return y;
        }

        private int ReluOf(int x)
        {
            if (!_relu.TryGetValue(x, out int r))
            {
                r = _n.Relu(Read(x));
                _relu[x] = r;
            }
            return r;
        }

        private int Pool(int x)
        {
            if (!_pool.TryGetValue(x, out int p))
            {
                p = _n.AveragePool(Read(x), 3, 3, 1, 1, Padding.Same);
                _pool[x] = p;
            }
            return p;
        }

        private int Read(int tensor)
        {
            _reads[tensor] = Reads(tensor) + 1;
            return tensor;
        }

        private int Reads(int tensor) => _reads.TryGetValue(tensor, out int r) ? r : 0;
    }
}
