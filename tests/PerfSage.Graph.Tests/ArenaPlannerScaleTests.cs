using PerfSage.Graph;
using Xunit;

namespace PerfSage.Graph.Tests;

/// <summary>
/// The planner visits only the buffers whose lifetime meets the one it places (issue #11, item 15: a 50,000-op chain
/// took 22 s, quadratic). These tests check that it still places every buffer exactly where the quadratic planner it
/// replaced did: that planner is kept below, verbatim, as the reference.
/// </summary>
public class ArenaPlannerScaleTests
{
    [Fact]
    public void Random_requests_get_the_offsets_of_the_quadratic_planner()
    {
        var random = new Random(20261203);
        for (int round = 0; round < 300; round++)
        {
            int count = random.Next(0, 60);
            int ops = random.Next(1, 40);
            var requests = new BufferRequest[count];
            for (int i = 0; i < count; i++)
            {
                int first = random.Next(0, ops);
                int last = Math.Min(ops - 1, first + (random.Next(4) == 0 ? random.Next(0, ops) : random.Next(0, 3)));
                long size = random.Next(6) switch
                {
                    0 => 0,
                    1 => 16 * random.Next(1, 4), // many equal sizes: ties by first use, then id
                    _ => random.Next(1, 5000),
                };
                requests[i] = new BufferRequest(i * 7 + 3, size, first, last);
            }
            AssertSameAsReference(requests);
        }
    }

    [Fact]
    public void A_residual_chain_gets_the_offsets_of_the_quadratic_planner()
    {
        // The shape of the benchmark chains: each op's output is read by the next, every fourth op also reads the
        // output of the op three before (a residual), sizes repeat.
        var requests = new List<BufferRequest>();
        for (int op = 0; op < 2000; op++)
        {
            int last = op % 4 == 0 ? op + 3 : op + 1;
            requests.Add(new BufferRequest(op, op % 3 == 0 ? 512 : 2048, op, Math.Min(last, 1999)));
        }
        ArenaPlan plan = AssertSameAsReference([.. requests]);
        // At most three buffers are live at once (the residual, the previous output, the current one).
        Assert.True(plan.LowerBoundBytes <= 3 * 2048, $"lower bound {plan.LowerBoundBytes}");
        Assert.True(plan.PeakBytes >= plan.LowerBoundBytes);
    }

    [Fact]
    public void Hand_worked_overlap_on_the_same_offsets_is_resolved_as_before()
    {
        // Two 32 B buffers at op 0 and op 2, a 16 B one over ops 0-2. Order: 32 B (first op 0), 32 B (op 2), 16 B.
        // The first 32 B goes to 0; the second also to 0 (lifetimes disjoint); the 16 B buffer meets both, both at 0
        // with end 32, so it goes to 32. Peak 48.
        ArenaPlan plan = ArenaPlanner.Plan(
        [
            new BufferRequest(10, 32, 0, 0),
            new BufferRequest(11, 32, 2, 2),
            new BufferRequest(12, 16, 0, 2),
        ]);
        Assert.Equal(0, plan.OffsetOf(10));
        Assert.Equal(0, plan.OffsetOf(11));
        Assert.Equal(32, plan.OffsetOf(12));
        Assert.Equal(48, plan.PeakBytes);
    }

    private static ArenaPlan AssertSameAsReference(BufferRequest[] requests)
    {
        ArenaPlan plan = ArenaPlanner.Plan(requests);
        (long[] offsets, long peak) = QuadraticReference(requests);
        Assert.Equal(peak, plan.PeakBytes);
        for (int i = 0; i < requests.Length; i++)
        {
            Assert.Equal(offsets[i], plan.OffsetOf(requests[i].Id));
        }
        return plan;
    }

    /// <summary>The placement loop of ArenaPlanner before item 15 (commit 61fc026), unchanged: every buffer walks all
    /// placed buffers in offset order, skipping those whose lifetime does not meet its own.</summary>
    private static (long[] Offsets, long Peak) QuadraticReference(BufferRequest[] req)
    {
        int n = req.Length;
        var aligned = new long[n];
        for (int i = 0; i < n; i++)
        {
            aligned[i] = ArenaPlanner.AlignUp(req[i].SizeBytes);
        }
        var order = new int[n];
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
        }
        Array.Sort(order, (a, b) =>
        {
            int c = aligned[b].CompareTo(aligned[a]);
            if (c != 0)
            {
                return c;
            }
            c = req[a].FirstOp.CompareTo(req[b].FirstOp);
            return c != 0 ? c : req[a].Id.CompareTo(req[b].Id);
        });
        var offsets = new long[n];
        var placed = new List<int>(n);
        long peak = 0;
        for (int k = 0; k < n; k++)
        {
            int i = order[k];
            long size = aligned[i];
            long candidate = 0;
            for (int p = 0; p < placed.Count; p++)
            {
                int j = placed[p];
                if (req[j].LastOp < req[i].FirstOp || req[j].FirstOp > req[i].LastOp)
                {
                    continue;
                }
                if (offsets[j] >= candidate + size)
                {
                    break;
                }
                candidate = Math.Max(candidate, offsets[j] + aligned[j]);
            }
            offsets[i] = candidate;
            peak = Math.Max(peak, candidate + size);
            int at = placed.Count;
            while (at > 0 && offsets[placed[at - 1]] > candidate)
            {
                at--;
            }
            placed.Insert(at, i);
        }
        return (offsets, peak);
    }
}
