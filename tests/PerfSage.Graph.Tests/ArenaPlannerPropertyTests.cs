using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PerfSage.Graph;
using Xunit;

namespace PerfSage.Graph.Tests;

public class ArenaPlannerPropertyTests
{
    private static Arbitrary<BufferRequest[]> Requests()
    {
        Gen<(int Size, int First, int Length)> one =
            from size in Gen.Frequency((1, Gen.Constant(0)), (8, Gen.Choose(1, 4096)), (1, Gen.Choose(4097, 70000)))
            from first in Gen.Choose(0, 20)
            from length in Gen.Choose(0, 8)
            select (size, first, length);
        Gen<BufferRequest[]> all = Gen.Sized(n => Gen.Choose(0, Math.Max(1, n)))
            .SelectMany(count => Gen.ArrayOf(one, count))
            .Select(items =>
            {
                var r = new BufferRequest[items.Length];
                for (int i = 0; i < items.Length; i++)
                {
                    r[i] = new BufferRequest(i * 3 + 1, items[i].Size, items[i].First, items[i].First + items[i].Length);
                }
                return r;
            });
        return all.ToArbitrary();
    }

    [Property(MaxTest = 400)]
    public Property Peak_lies_between_the_lower_bound_and_the_naive_sum() =>
        Prop.ForAll(Requests(), requests =>
        {
            ArenaPlan plan = ArenaPlanner.Plan(requests);
            return plan.LowerBoundBytes <= plan.PeakBytes && plan.PeakBytes <= plan.NaiveBytes;
        });

    [Property(MaxTest = 400)]
    public Property Buffers_live_together_never_share_bytes() =>
        Prop.ForAll(Requests(), requests =>
        {
            ArenaPlan plan = ArenaPlanner.Plan(requests);
            var b = plan.Buffers;
            for (int i = 0; i < b.Length; i++)
            {
                for (int j = i + 1; j < b.Length; j++)
                {
                    bool timeOverlap = b[i].FirstOp <= b[j].LastOp && b[j].FirstOp <= b[i].LastOp;
                    bool memoryOverlap = b[i].Offset < b[j].End && b[j].Offset < b[i].End;
                    if (timeOverlap && memoryOverlap)
                    {
                        return false;
                    }
                }
            }
            return true;
        });

    [Property(MaxTest = 400)]
    public Property Offsets_are_aligned_and_inside_the_peak() =>
        Prop.ForAll(Requests(), requests =>
        {
            ArenaPlan plan = ArenaPlanner.Plan(requests);
            foreach (ArenaBuffer a in plan.Buffers)
            {
                if (a.Offset % ArenaPlanner.Alignment != 0 || a.AlignedBytes % ArenaPlanner.Alignment != 0
                    || a.AlignedBytes < a.SizeBytes || a.End > plan.PeakBytes)
                {
                    return false;
                }
            }
            return plan.Buffers.Length == requests.Length;
        });

    [Property(MaxTest = 200)]
    public Property Plans_do_not_depend_on_request_order() =>
        Prop.ForAll(Requests(), requests =>
        {
            ArenaPlan forward = ArenaPlanner.Plan(requests);
            var reversed = (BufferRequest[])requests.Clone();
            Array.Reverse(reversed);
            ArenaPlan backward = ArenaPlanner.Plan(reversed);
            foreach (BufferRequest r in requests)
            {
                if (forward.OffsetOf(r.Id) != backward.OffsetOf(r.Id))
                {
                    return false;
                }
            }
            return forward.PeakBytes == backward.PeakBytes;
        });

    [Fact]
    public void The_generator_produces_overlapping_lifetimes()
    {
        // Guards the properties above against a generator that would make them vacuous.
        BufferRequest[][] samples = Requests().Generator.Sample(50, 30);
        Assert.Contains(samples, s => ArenaPlanner.Plan(s).PeakBytes < ArenaPlanner.Plan(s).NaiveBytes);
        Assert.Contains(samples, s => ArenaPlanner.Plan(s).LowerBoundBytes > 0);
    }
}
