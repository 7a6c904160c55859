using PerfSage.Graph;
using PerfSage.Tflite;
using Xunit;

namespace PerfSage.Graph.Tests;

public class ArenaPlannerTests
{
    [Fact]
    public void Four_buffers_are_placed_largest_first_into_the_lowest_gap()
    {
        // A 100 B ops 0-1 (footprint 112), B 200 B ops 1-2 (208), C 64 B ops 2-3 (64), D 300 B op 3 (304).
        // Order by footprint: D, B, A, C.
        //   D → 0 (nothing placed).
        //   B → 0 (D is not live during ops 1-2).
        //   A → 208: B (0..208) is live at op 1.
        //   C → 304: D (0..304) is live at op 3, B (0..208) at op 2; A is dead by op 2.
        //
        //  offset 0        112      208      304  368
        //  op 0   [   A:208..320 ──────────]
        //  op 1   [ B 0..208 ][ A 208..320 ]
        //  op 2   [ B 0..208 ]        [C 304..368]
        //  op 3   [ D 0..304          ][C 304..368]
        ArenaPlan plan = ArenaPlanner.Plan(
        [
            new BufferRequest(1, 100, 0, 1),
            new BufferRequest(2, 200, 1, 2),
            new BufferRequest(3, 64, 2, 3),
            new BufferRequest(4, 300, 3, 3),
        ]);
        Assert.Equal(208, plan.OffsetOf(1));
        Assert.Equal(0, plan.OffsetOf(2));
        Assert.Equal(304, plan.OffsetOf(3));
        Assert.Equal(0, plan.OffsetOf(4));
        Assert.Equal(304 + 64, plan.PeakBytes);
        Assert.Equal(112 + 208 + 64 + 304, plan.NaiveBytes);
        // Live per op: 112, 112+208, 208+64, 64+304.
        Assert.Equal([112L, 320L, 272L, 368L], plan.LiveBytesPerOp.ToArray());
        Assert.Equal(368, plan.LowerBoundBytes);
        Assert.Equal(-1, plan.OffsetOf(99));
        Assert.True(plan.TryGetBuffer(1, out ArenaBuffer a));
        Assert.Equal(112, a.AlignedBytes);
        Assert.Equal(100, a.SizeBytes);
        Assert.Equal(320, a.End);
    }

    [Fact]
    public void Odd_sizes_are_rounded_up_to_sixteen_bytes()
    {
        Assert.Equal(0, ArenaPlanner.AlignUp(0));
        Assert.Equal(16, ArenaPlanner.AlignUp(1));
        Assert.Equal(16, ArenaPlanner.AlignUp(16));
        Assert.Equal(32, ArenaPlanner.AlignUp(17));
        // Three buffers all live at op 0: 33 → 48, 17 → 32, 1 → 16, stacked in that order.
        ArenaPlan plan = ArenaPlanner.Plan(
        [
            new BufferRequest(0, 1, 0, 0),
            new BufferRequest(1, 17, 0, 0),
            new BufferRequest(2, 33, 0, 0),
        ]);
        Assert.Equal(0, plan.OffsetOf(2));
        Assert.Equal(48, plan.OffsetOf(1));
        Assert.Equal(48 + 32, plan.OffsetOf(0));
        Assert.Equal(48 + 32 + 16, plan.PeakBytes);
        Assert.Equal(48 + 32 + 16, plan.NaiveBytes);
    }

    [Fact]
    public void Equal_sizes_go_by_first_use_then_id()
    {
        // Both 32 B, disjoint in time except the tie-break decides who gets 0 when they overlap.
        ArenaPlan plan = ArenaPlanner.Plan([new BufferRequest(7, 32, 1, 2), new BufferRequest(3, 32, 0, 1)]);
        Assert.Equal(0, plan.OffsetOf(3));   // first use 0 beats first use 1
        Assert.Equal(32, plan.OffsetOf(7));
        ArenaPlan tie = ArenaPlanner.Plan([new BufferRequest(7, 32, 0, 1), new BufferRequest(3, 32, 0, 1)]);
        Assert.Equal(0, tie.OffsetOf(3));    // same first use: smaller id first
        Assert.Equal(32, tie.OffsetOf(7));
    }

    [Fact]
    public void Residual_add_keeps_the_skip_tensor_live_across_the_branch()
    {
        // in → conv1 (t1) → conv2 (t2) → conv3 (t3) → add(t1, t3) → out; every activation 8·8·16 int8 = 1024 B.
        var b = new OpGraphBuilder("residual");
        int x = b.AddInput([1, 8, 8, 16], TensorType.Int8);
        int t1 = b.Conv2D(x, 16, 1, 1);
        int t2 = b.Conv2D(t1, 16, 3, 3);
        int t3 = b.Conv2D(t2, 16, 3, 3);
        int y = b.Add(t1, t3);
        b.MarkOutput(y);
        OpGraph g = b.Build();

        var lifetimes = ArenaPlanner.Lifetimes(g).ToDictionary(r => r.Id);
        Assert.Equal(5, lifetimes.Count); // weights and biases are constants, not planned
        Assert.Equal((0, 0), (lifetimes[x].FirstOp, lifetimes[x].LastOp));
        Assert.Equal((0, 3), (lifetimes[t1].FirstOp, lifetimes[t1].LastOp)); // lives until the add
        Assert.Equal((1, 2), (lifetimes[t2].FirstOp, lifetimes[t2].LastOp));
        Assert.Equal((2, 3), (lifetimes[t3].FirstOp, lifetimes[t3].LastOp));
        Assert.Equal((3, 3), (lifetimes[y].FirstOp, lifetimes[y].LastOp));

        // Order (all 1024 B): in, t1 (first use 0, by id), t2, t3, out.
        //   in → 0; t1 → 1024 (in live at op 0); t2 → 0 (in is dead by op 1);
        //   t3 → 2048 (t2 at 0 and t1 at 1024 are live at op 2); out → 0 (t2 dead at op 3).
        ArenaPlan plan = ArenaPlanner.Plan(g);
        Assert.Equal(0, plan.OffsetOf(x));
        Assert.Equal(1024, plan.OffsetOf(t1));
        Assert.Equal(0, plan.OffsetOf(t2));
        Assert.Equal(2048, plan.OffsetOf(t3));
        Assert.Equal(0, plan.OffsetOf(y));
        Assert.Equal(3 * 1024, plan.PeakBytes);
        Assert.Equal(3 * 1024, plan.LowerBoundBytes); // t1, t2, t3 at op 2
        Assert.Equal(5 * 1024, plan.NaiveBytes);
        Assert.Equal(-1, plan.OffsetOf(g.Nodes[0].WeightTensor));
    }

    [Fact]
    public void Chain_plan_reuses_memory_two_tensors_at_a_time()
    {
        // input 768 B (0-0), conv 2048 B (0-1), dw 512 B (1-2), reshape 512 B (2-3), fc 10→16 B (3-4),
        // softmax 10→16 B (4-4, graph output).
        var b = new OpGraphBuilder();
        int x = b.AddInput([1, 16, 16, 3], TensorType.Int8);
        int c = b.Conv2D(x, 8, 3, 3);
        int d = b.DepthwiseConv2D(c, 3, 3, 2, 2);
        int r = b.Reshape(d, [1, -1]);
        int f = b.FullyConnected(r, 10);
        int s = b.Softmax(f);
        b.MarkOutput(s);
        ArenaPlan plan = ArenaPlanner.Plan(b.Build());
        Assert.Equal(0, plan.OffsetOf(c));
        Assert.Equal(2048, plan.OffsetOf(x));
        Assert.Equal(2048, plan.OffsetOf(d));   // conv (0..2048) is live at op 1
        Assert.Equal(0, plan.OffsetOf(r));      // only dw (2048..2560) is live with it
        Assert.Equal(512, plan.OffsetOf(f));    // reshape (0..512) live at op 3
        Assert.Equal(0, plan.OffsetOf(s));
        Assert.Equal(2048 + 768, plan.PeakBytes);
        Assert.Equal(2048 + 768, plan.LowerBoundBytes);
        Assert.Equal(768 + 2048 + 512 + 512 + 16 + 16, plan.NaiveBytes);
    }

    [Fact]
    public void Variables_are_persistent_and_outside_the_head()
    {
        var b = new OpGraphBuilder();
        int x = b.AddInput([1, 10], TensorType.Float32);
        int state = b.AddVariable([1, 5], TensorType.Float32);
        int y = b.AddOperator(BuiltinOperator.ADD, [x, x]);
        b.AddOperator(BuiltinOperator.CONCATENATION, [y, state], new ConcatenationOptions(1, ActivationFunctionType.None));
        ArenaPlan plan = ArenaPlanner.Plan(b.Build());
        Assert.Equal(-1, plan.OffsetOf(state));
        Assert.Equal(ArenaPlanner.AlignUp(5 * 4), plan.PersistentBytes);
        Assert.Equal(plan.PeakBytes + 32, plan.TotalBytes);
    }

    [Fact]
    public void Outputs_never_read_live_at_their_producer_and_graph_outputs_to_the_end()
    {
        var b = new OpGraphBuilder();
        int x = b.AddInput([4], TensorType.Float32);
        int early = b.Relu(x);       // op 0, graph output
        int dead = b.Relu(x);        // op 1, never read
        int last = b.Relu6(x);       // op 2
        b.MarkOutput(early);
        b.MarkOutput(last);
        var life = ArenaPlanner.Lifetimes(b.Build()).ToDictionary(r => r.Id);
        Assert.Equal((0, 2), (life[x].FirstOp, life[x].LastOp));
        Assert.Equal((0, 2), (life[early].FirstOp, life[early].LastOp));
        Assert.Equal((1, 1), (life[dead].FirstOp, life[dead].LastOp));
        Assert.Equal((2, 2), (life[last].FirstOp, life[last].LastOp));
    }

    [Fact]
    public void Bad_requests_are_refused()
    {
        Assert.Throws<ArgumentException>(() => ArenaPlanner.Plan([new BufferRequest(1, 16, 2, 1)]));
        Assert.Throws<ArgumentException>(() => ArenaPlanner.Plan([new BufferRequest(1, -1, 0, 1)]));
        Assert.Throws<ArgumentException>(() =>
            ArenaPlanner.Plan([new BufferRequest(1, 16, 0, 1), new BufferRequest(1, 16, 0, 1)]));
        ArenaPlan empty = ArenaPlanner.Plan([]);
        Assert.Equal(0, empty.PeakBytes);
        Assert.Equal(0, empty.LowerBoundBytes);
    }
}
