using PerfSage.Dataset.Spaces;
using PerfSage.Graph;
using PerfSage.Tflite;
using Xunit;

namespace PerfSage.Dataset.Tests;

/// <summary>NAS-Bench-201 graphs checked against counts and MACs worked out by hand.</summary>
public class Nb201NetworkTests
{
    // Pieces of every live network (MACs = output elements × kernel taps × input depth).
    private const long StemMacs = 32L * 32 * 16 * 3 * 3 * 3;                  // 442,368

    // Reduction blocks: 3×3/2 conv, 3×3 conv, 1×1 conv on the 2×2-pooled shortcut.
    private const long Reduction1Macs = 16L * 16 * 32 * 9 * 16 + 16L * 16 * 32 * 9 * 32 + 16L * 16 * 32 * 16;
    private const long Reduction2Macs = 8L * 8 * 64 * 9 * 32 + 8L * 8 * 64 * 9 * 64 + 8L * 8 * 64 * 32;
    private const long FcMacs = 64 * 10;
    private const long OutsideCellsMacs = StemMacs + Reduction1Macs + Reduction2Macs + FcMacs;

    // One 3×3 cell convolution per stage: 32·32·16·16·9, 16·16·32·32·9, 8·8·64·64·9 (each 2,359,296).
    private const long Conv3x3Stage1 = 32L * 32 * 16 * 16 * 9;
    private const long Conv3x3Stage2 = 16L * 16 * 32 * 32 * 9;
    private const long Conv3x3Stage3 = 8L * 8 * 64 * 64 * 9;

    // Ops outside the cells: stem, 2 × (RELU, CONV/2, RELU, CONV, AVERAGE_POOL, CONV 1×1, ADD), head
    // BN as MUL + ADD (ReLU fused), MEAN, FULLY_CONNECTED, SOFTMAX.
    private const int OutsideCellsOps = 1 + 2 * 7 + 2 + 3;

    private const string AllConv3x3 =
        "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|";

    [Fact]
    public void Eager_network_keeps_every_edge_counts_worked_by_hand()
    {
        // NB201 index 0: node 1 = pool(n0); node 2 = conv1x1(n0) + n1; node 3 = conv1x1(n0) + n1 + n2.
        const string arch = "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|";
        OpGraph g = Nb201Space.FromArchString(arch, TensorType.Float32, Nb201Graph.Eager);
        // Per cell: 1 AVERAGE_POOL, 2 × (RELU + CONV 1×1), ADDs 1 (node 2) + 2 (node 3); 15 cells.
        Assert.Equal(1 + 15 * 2 + 2 * 3, g.CountOf(BuiltinOperator.CONV_2D));       // 37
        Assert.Equal(15 * 2 + 2 * 2, g.CountOf(BuiltinOperator.RELU));              // 34
        Assert.Equal(15 * 1 + 2, g.CountOf(BuiltinOperator.AVERAGE_POOL_2D));       // 17
        Assert.Equal(15 * 3 + 2 + 1, g.CountOf(BuiltinOperator.ADD));               // 48
        Assert.Equal(1, g.CountOf(BuiltinOperator.MUL));
        Assert.Equal(140, g.Nodes.Length);
        long conv1x1 = 32L * 32 * 16 * 16; // the same 262,144 MACs in every stage (H·W halves as C doubles)
        Assert.Equal(OutsideCellsMacs + (15 * 2 * conv1x1), g.TotalMacs);
        Assert.Equal(15_647_360, g.TotalMacs);
    }

    [Fact]
    public void Eager_network_runs_none_edges_as_a_multiply_by_zero_and_dead_edges_too()
    {
        // Node 3 reads only none edges, so the converted network folds to a constant, while eager still runs
        // every cell: conv3x3 on 1←0 and 2←1, pool on 2←0, three none edges (MUL by 0) into node 3.
        const string arch = "|nor_conv_3x3~0|+|avg_pool_3x3~0|nor_conv_3x3~1|+|none~0|none~1|none~2|";
        Assert.Empty(Nb201Space.FromArchString(arch).Nodes);
        OpGraph g = Nb201Space.FromArchString(arch, TensorType.Float32, Nb201Graph.Eager);
        Assert.Equal(1 + 15 * 2 + 2 * 3, g.CountOf(BuiltinOperator.CONV_2D));
        Assert.Equal(15 * 3 + 1, g.CountOf(BuiltinOperator.MUL));                  // 3 zero edges per cell + head BN
        Assert.Equal(15 * 1 + 2, g.CountOf(BuiltinOperator.AVERAGE_POOL_2D));
        Assert.Equal(15 * (1 + 2) + 2 + 1, g.CountOf(BuiltinOperator.ADD));
        Assert.Equal(OutsideCellsMacs + (5 * 2 * (Conv3x3Stage1 + Conv3x3Stage2 + Conv3x3Stage3)), g.TotalMacs);
    }

    [Fact]
    public void Pruned_network_drops_none_edges_and_unread_nodes_but_runs_ops_on_zero_nodes()
    {
        // 1←0 none, 2←0 conv3x3, 2←1 pool, 3←0 skip, 3←1 conv1x1, 3←2 none. Node 2 is read only by a none edge,
        // so it goes with its conv and pool; node 1 has no inputs (all zeros) yet is read by 3←1, so its RELU and
        // 1×1 convolution run on a constant zero tensor. Per cell: RELU, CONV 1×1, ADD (skip + conv) = 3 ops.
        const string arch = "|none~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_1x1~1|none~2|";
        OpGraph g = Nb201Space.FromArchString(arch, TensorType.Float32, Nb201Graph.Pruned);
        Assert.Equal(OutsideCellsOps + 15 * 3, g.Nodes.Length);                     // 65
        Assert.Equal(1 + 15 + 2 * 3, g.CountOf(BuiltinOperator.CONV_2D));            // 22
        Assert.Equal(15 + 2 * 2, g.CountOf(BuiltinOperator.RELU));                   // 19
        Assert.Equal(15 + 2 + 1, g.CountOf(BuiltinOperator.ADD));                    // 18
        Assert.Equal(1, g.CountOf(BuiltinOperator.MUL));                             // head BN only
        Assert.Equal(2, g.CountOf(BuiltinOperator.AVERAGE_POOL_2D));                 // reduction shortcuts only
        long conv1x1 = 32L * 32 * 16 * 16;
        Assert.Equal(OutsideCellsMacs + (15 * conv1x1), g.TotalMacs);
        // The RELU of each cell reads a constant (the zero node), not an activation.
        Assert.Equal(15, g.Nodes.Count(n => n.TypeName == "RELU" && g.Tensors[n.Inputs[0]].IsConstant));

        // Eager keeps all of it; converted folds node 1's convolution into a constant ADD and drops node 2 too.
        OpGraph eager = Nb201Space.FromArchString(arch, TensorType.Float32, Nb201Graph.Eager);
        Assert.Equal(1 + 15 * 2 + 2 * 3, eager.CountOf(BuiltinOperator.CONV_2D));
        Assert.Equal(1 + 2 * 3, Nb201Space.FromArchString(arch).CountOf(BuiltinOperator.CONV_2D));
    }

    [Fact]
    public void Pruned_network_keeps_a_removed_node_that_is_one_convolution()
    {
        // Node 2 = conv3x3(n0) is read only by the none edge 3←2, but as a single convolution it still runs and is
        // summed into node 3. Per cell: node 1 RELU + CONV 3×3; node 2 RELU + CONV 3×3; node 3 RELU(n1) + CONV 1×1
        // and two ADDs (skip + conv1x1 + node 2) = 8 ops.
        const string arch = "|nor_conv_3x3~0|+|nor_conv_3x3~0|none~1|+|skip_connect~0|nor_conv_1x1~1|none~2|";
        OpGraph g = Nb201Space.FromArchString(arch, TensorType.Float32, Nb201Graph.Pruned);
        Assert.Equal(OutsideCellsOps + 15 * 8, g.Nodes.Length);                     // 140
        Assert.Equal(1 + 15 * 3 + 2 * 3, g.CountOf(BuiltinOperator.CONV_2D));        // 52
        Assert.Equal(15 * 3 + 2 * 2, g.CountOf(BuiltinOperator.RELU));               // 49
        Assert.Equal(15 * 2 + 2 + 1, g.CountOf(BuiltinOperator.ADD));                // 33
        Assert.Equal(1, g.CountOf(BuiltinOperator.MUL));
        long conv1x1 = 32L * 32 * 16 * 16;
        Assert.Equal(OutsideCellsMacs + (5 * 2 * (Conv3x3Stage1 + Conv3x3Stage2 + Conv3x3Stage3)) + (15 * conv1x1), g.TotalMacs);

        // A removed node that is a pool, or a sum of two edges, goes: the same cell with 2←0 a pool drops it.
        const string pooled = "|nor_conv_3x3~0|+|avg_pool_3x3~0|none~1|+|skip_connect~0|nor_conv_1x1~1|none~2|";
        OpGraph p = Nb201Space.FromArchString(pooled, TensorType.Float32, Nb201Graph.Pruned);
        Assert.Equal(OutsideCellsOps + 15 * 5, p.Nodes.Length);
        Assert.Equal(2, p.CountOf(BuiltinOperator.AVERAGE_POOL_2D));
    }

    [Fact]
    public void Pruned_network_without_edges_from_input_to_output_folds_like_converted()
    {
        const string arch = "|nor_conv_3x3~0|+|avg_pool_3x3~0|nor_conv_3x3~1|+|none~0|none~1|none~2|";
        Assert.Empty(Nb201Space.FromArchString(arch, TensorType.Float32, Nb201Graph.Pruned).Nodes);
        // With no none edge, pruned is the eager network: the same operators in the same order, the same MACs.
        const string full = "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|";
        OpGraph pruned = Nb201Space.FromArchString(full, TensorType.Float32, Nb201Graph.Pruned);
        OpGraph eager = Nb201Space.FromArchString(full, TensorType.Float32, Nb201Graph.Eager);
        Assert.Equal(140, pruned.Nodes.Length);
        Assert.Equal(eager.Nodes.Select(n => n.TypeName), pruned.Nodes.Select(n => n.TypeName));
        Assert.Equal(eager.TotalMacs, pruned.TotalMacs);
    }

    [Fact]
    public void All_conv3x3_network_counts_worked_by_hand()
    {
        OpGraph g = Nb201Space.FromArchString(AllConv3x3);
        // Per cell: 6 convolutions, 3 RELUs (one per source node 0, 1, 2, shared by its edges), ADDs: node 2
        // sums 2 terms (1 ADD), node 3 sums 3 (2 ADDs) = 12 ops; 15 cells.
        Assert.Equal(OutsideCellsOps + 15 * 12, g.Nodes.Length);
        Assert.Equal(200, g.Nodes.Length);
        Assert.Equal(1 + 15 * 6 + 2 * 3, g.CountOf(BuiltinOperator.CONV_2D));
        Assert.Equal(15 * 3 + 2 * 2, g.CountOf(BuiltinOperator.RELU));
        Assert.Equal(15 * 3 + 2 + 1, g.CountOf(BuiltinOperator.ADD));
        Assert.Equal(1, g.CountOf(BuiltinOperator.MUL));
        Assert.Equal(2, g.CountOf(BuiltinOperator.AVERAGE_POOL_2D));
        Assert.Equal(1, g.CountOf(BuiltinOperator.MEAN));
        Assert.Equal(1, g.CountOf(BuiltinOperator.FULLY_CONNECTED));
        Assert.Equal(1, g.CountOf(BuiltinOperator.SOFTMAX));

        long cells = 5 * 6 * (Conv3x3Stage1 + Conv3x3Stage2 + Conv3x3Stage3);
        Assert.Equal(OutsideCellsMacs + cells, g.TotalMacs);
        Assert.Equal(220_119_680, g.TotalMacs);

        // Parameters (weights + biases): stem 3·3·3·16 + 16; cells 6 × (9·C·C + C) per cell; reductions;
        // head BN's two [64] vectors; FC 64·10 + 10.
        long cellParams = 5 * 6 * ((9 * 16 * 16 + 16) + (9 * 32 * 32 + 32) + (9 * 64 * 64 + 64));
        long reductionParams = (9 * 16 * 32 + 32) + (9 * 32 * 32 + 32) + (16 * 32 + 32)
            + (9 * 32 * 64 + 64) + (9 * 64 * 64 + 64) + (32 * 64 + 64);
        Assert.Equal((27 * 16 + 16) + cellParams + reductionParams + 2 * 64 + (64 * 10 + 10), g.TotalParameters);

        Assert.Equal([1, 32, 32, 3], g.Tensors[g.Inputs[0]].Shape.ToArray());
        Assert.Equal([1, 10], g.Tensors[g.Outputs[0]].Shape.ToArray());
        Assert.Equal(TensorType.Float32, g.Tensors[g.Inputs[0]].Type);
    }

    [Fact]
    public void Int8_variant_has_the_same_structure_with_int8_tensors()
    {
        OpGraph f = Nb201Space.FromArchString(AllConv3x3);
        OpGraph q = Nb201Space.FromArchString(AllConv3x3, TensorType.Int8);
        Assert.Equal(f.Nodes.Select(n => n.TypeName), q.Nodes.Select(n => n.TypeName));
        Assert.Equal(f.TotalMacs, q.TotalMacs);
        Assert.Equal(TensorType.Int8, q.Tensors[q.Inputs[0]].Type);
        Assert.All(q.Nodes.Where(n => n.Builtin == BuiltinOperator.CONV_2D), n => Assert.Equal(TensorType.Int8, n.WeightDType));
        // int8 weights take a quarter of the float32 bytes.
        Assert.Equal(f.TotalWeightBytes, 4 * q.TotalWeightBytes);
        // The largest genotype still fits the microcontroller budget (448 KiB arena, 1,792 KiB constants).
        Assert.True(q.ConstantBytes <= 1792 * 1024, $"{q.ConstantBytes} B of constants");
        Assert.True(ArenaPlanner.Plan(q).PeakBytes <= 448 * 1024);
    }

    [Fact]
    public void Skip_only_cells_have_no_macs_inside()
    {
        OpGraph g = Nb201Space.FromArchString(
            "|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|");
        // Node 1 is node 0; node 2 = n0 + n0 (1 ADD); node 3 = n0 + n0 + node 2 (2 ADDs).
        Assert.Equal(OutsideCellsMacs, g.TotalMacs);
        Assert.Equal(7_783_040, g.TotalMacs);
        Assert.Equal(OutsideCellsOps + 15 * 3, g.Nodes.Length);
        Assert.Equal(1 + 2 * 3, g.CountOf(BuiltinOperator.CONV_2D));
    }

    [Fact]
    public void Cells_that_only_pass_their_input_vanish()
    {
        // Node 3 = skip(node 0); the 1×1 conv into node 1 reaches nothing and is removed.
        OpGraph g = Nb201Space.FromArchString("|nor_conv_1x1~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|");
        Assert.Equal(OutsideCellsOps, g.Nodes.Length);
        Assert.Equal(OutsideCellsMacs, g.TotalMacs);
    }

    [Fact]
    public void All_none_network_folds_to_a_constant()
    {
        var space = new Nb201Space();
        OpGraph g = Nb201Space.FromArchString("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|");
        Assert.Empty(g.Nodes);
        Assert.Equal(0, g.TotalMacs);
        GraphTensor output = g.Tensors[g.Outputs[0]];
        Assert.True(output.IsConstant);
        Assert.Equal([1, 10], output.Shape.ToArray());
        Assert.Equal([1, 32, 32, 3], g.Tensors[g.Inputs[0]].Shape.ToArray());
        // Only the float32 input is planned: 32·32·3·4 bytes.
        Assert.Equal(32 * 32 * 3 * 4, ArenaPlanner.Plan(g).PeakBytes);

        // A cell whose output depends on nothing but a dead node 1 folds the network too.
        Assert.Empty(Nb201Space.FromArchString("|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|nor_conv_3x3~2|").Nodes);
        Assert.Empty(space.Build(new Nb201Arch(0)).Nodes);
    }

    [Fact]
    public void Per_channel_constant_folds_into_a_conv_bias_and_the_head_into_the_last_conv()
    {
        // Node 1 is zero; node 2 = conv3x3(relu n0) + conv1x1(zero) = conv3x3(...) + its bias: one conv with a
        // merged bias. Node 3 = node 2. Per cell RELU + CONV; the last cell ends in a conv read by nothing
        // else, so the head's BN folds into it and its ReLU fuses: no MUL, and the head adds MEAN, FC, SOFTMAX.
        OpGraph g = Nb201Space.FromArchString("|none~0|+|nor_conv_3x3~0|nor_conv_1x1~1|+|none~0|none~1|skip_connect~2|");
        Assert.Equal(1 + 15 * 2 + 2 * 7 + 3, g.Nodes.Length);
        Assert.Equal(0, g.CountOf(BuiltinOperator.MUL));
        Assert.Equal(OutsideCellsMacs + 5 * (Conv3x3Stage1 + Conv3x3Stage2 + Conv3x3Stage3), g.TotalMacs);
        OpNode mean = g.Nodes.Single(n => n.Builtin == BuiltinOperator.MEAN);
        OpNode last = g.Nodes[g.Tensors[mean.MainInput].Producer];
        Assert.Equal(BuiltinOperator.CONV_2D, last.Builtin);
        Assert.Equal(ActivationFunctionType.Relu, last.Attributes.FusedActivation);
        Assert.Equal(1, g.Nodes.Count(n => n.Attributes.FusedActivation == ActivationFunctionType.Relu));
    }

    [Fact]
    public void Constant_parts_without_a_conv_cost_an_add()
    {
        // Node 2 = skip(n0) + conv1x1(zero) = n0 + per-channel bias: ADD with a [C] constant.
        OpGraph channel = Nb201Space.FromArchString("|none~0|+|skip_connect~0|nor_conv_1x1~1|+|none~0|none~1|skip_connect~2|");
        Assert.Equal(OutsideCellsOps + 15, channel.Nodes.Length);
        Assert.Equal(OutsideCellsMacs, channel.TotalMacs);
        int[] stage1Constant = ConstantOperandOfFirstCellAdd(channel);
        Assert.Equal([16], stage1Constant);

        // Node 2 = conv1x1(zero) is a per-channel constant; node 3 = skip(n0) + conv3x3(that constant): zero
        // padding makes the border differ, so the constant is a whole [1,H,W,C] map.
        OpGraph spatial = Nb201Space.FromArchString("|none~0|+|none~0|nor_conv_1x1~1|+|skip_connect~0|none~1|nor_conv_3x3~2|");
        Assert.Equal(OutsideCellsOps + 15, spatial.Nodes.Length);
        Assert.Equal([1, 32, 32, 16], ConstantOperandOfFirstCellAdd(spatial));
    }

    [Fact]
    public void Identical_pools_and_relus_are_shared()
    {
        // Node 1 = pool(n0), node 2 = pool(n0): one AVERAGE_POOL; node 3 = n1 + n2 = ADD(p, p).
        OpGraph pools = Nb201Space.FromArchString("|avg_pool_3x3~0|+|avg_pool_3x3~0|none~1|+|none~0|skip_connect~1|skip_connect~2|");
        Assert.Equal(OutsideCellsOps + 15 * 2, pools.Nodes.Length);
        Assert.Equal(15 + 2, pools.CountOf(BuiltinOperator.AVERAGE_POOL_2D));
        OpNode add = pools.Nodes.First(n => n.Builtin == BuiltinOperator.ADD);
        Assert.Equal(add.Inputs[0], add.Inputs[1]);

        // Three 1×1 convs leave node 0: one RELU feeds them all.
        OpGraph relus = Nb201Space.FromArchString("|nor_conv_1x1~0|+|nor_conv_1x1~0|none~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|");
        OpNode firstRelu = relus.Nodes.First(n => n.Builtin == BuiltinOperator.RELU);
        Assert.Equal(3, relus.Tensors[firstRelu.MainOutput].Consumers.Length);
        // Per cell: RELU, 3 CONV, node 2 alone is its conv, node 3 = conv + n1 + n2 (2 ADDs) = 6 ops.
        Assert.Equal(OutsideCellsOps + 15 * 6, relus.Nodes.Length);
    }

    [Fact]
    public void Sample_draws_genotypes_uniformly()
    {
        var space = new Nb201Space();
        var counts = new int[5];
        const int n = 400;
        for (int i = 0; i < n; i++)
        {
            SpaceSample s = space.Sample(3, i);
            var arch = Nb201Arch.Parse(s.Knobs["arch"]);
            Assert.Equal(arch.Index.ToString(System.Globalization.CultureInfo.InvariantCulture), s.Knobs["arch_index"]);
            Assert.Equal(arch.IsConnected ? "no" : "yes", s.Knobs["folded"]);
            Assert.Equal(GraphFingerprint.Of(space.Build(arch)), GraphFingerprint.Of(s.Graph));
            counts[(int)arch.Op(3, 0)]++;
        }
        // Each op on edge 0→3 expects 80 of 400 (σ ≈ 8): a band of 5σ.
        Assert.All(counts, c => Assert.InRange(c, 40, 120));
    }

    [Fact]
    public void Whole_space_stays_within_the_documented_bounds()
    {
        // All 15,625 genotypes: 341 fold to nothing, none has more ops, MACs or parameters than the
        // all-nor_conv_3x3 network (each edge costs at most a 3×3 conv; folding only removes work).
        var space = new Nb201Space();
        int folded = 0;
        long maxOps = 0, maxMacs = 0, maxParams = 0;
        for (int i = 0; i < Nb201Arch.Count; i++)
        {
            OpGraph g = space.Build(new Nb201Arch(i));
            folded += g.Nodes.Length == 0 ? 1 : 0;
            maxOps = Math.Max(maxOps, g.Nodes.Length);
            maxMacs = Math.Max(maxMacs, g.TotalMacs);
            maxParams = Math.Max(maxParams, g.TotalParameters);
        }
        OpGraph top = Nb201Space.FromArchString(AllConv3x3);
        Assert.Equal(341, folded);
        Assert.Equal(200, maxOps);
        Assert.Equal(top.TotalMacs, maxMacs);
        Assert.Equal(top.TotalParameters, maxParams);
    }

    private static int[] ConstantOperandOfFirstCellAdd(OpGraph g)
    {
        OpNode add = g.Nodes.First(n => n.Builtin == BuiltinOperator.ADD && n.ConstantInputs.Length == 1);
        return [.. g.Tensors[add.ConstantInputs[0]].Shape];
    }
}
