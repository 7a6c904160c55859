using PerfSage.Dataset.Spaces;
using PerfSage.Targets;
using Xunit;

namespace PerfSage.Dataset.Tests.Build;

/// <summary>Every space gives models that the writer, the reader and every estimator accept.</summary>
public class AllSpacesTests
{
    public static TheoryData<string> Spaces => [.. SearchSpaces.Names];

    [Theory]
    [MemberData(nameof(Spaces))]
    public void A_small_build_of_every_space_labels_every_target(string space)
    {
        using var dir = new TempFolder();
        IReadOnlyList<string> targets = TargetCatalog.LoadDefault().Ids;
        BuildResult r = Builds.Run(new BuildRequest(space, 2, targets) { Seed = 11 }, dir.Path);
        Assert.Equal(2, r.Models);
        DatasetFolder folder = DatasetFolder.Load(dir.Path, verifyGraphs: true);
        Assert.Equal(targets, folder.Targets);
        Assert.Equal(2 * targets.Count, folder.Labels.Count);
        foreach (DatasetModel m in folder.Models)
        {
            // A NAS-Bench-201 cell without a path from input to output folds the whole network to a constant:
            // no operators, nothing to run, so zero time is right there.
            bool folded = m.Info.Knobs.TryGetValue("folded", out string? f) && f == "yes";
            foreach (LabelRow label in m.Labels.Values)
            {
                Assert.True(folded ? label.LatencyMs >= 0 : label.LatencyMs > 0, $"{m.Id} on {label.Target}: latency {label.LatencyMs}");
                Assert.True(folded ? label.EnergyMj >= 0 : label.EnergyMj > 0, $"{m.Id} on {label.Target}: energy {label.EnergyMj}");
                Assert.True(label.PeakRamKb > 0, $"{m.Id} on {label.Target}: peak RAM {label.PeakRamKb}");
                Assert.True(label.FlashKb > 0, $"{m.Id} on {label.Target}: flash {label.FlashKb}");
            }
        }
    }
}
