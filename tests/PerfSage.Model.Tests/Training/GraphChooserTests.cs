using PerfSage.Graph.Features;
using Xunit;
using Xunit.Abstractions;

namespace PerfSage.Model.Tests;

/// <summary>
/// Graph variants: each measured "architecture" has two graphs, <c>real</c> (the chain whose cost law made the label:
/// 3 × <see cref="SyntheticGraphs.LatencyMs"/>) and <c>decoy</c> (an unrelated chain). "decoy" sorts first, so it wins
/// any tie: "real" must win on the cross-validated error alone.
/// </summary>
[Collection(TorchStateGroup.Name)]
public sealed class GraphChooserTests(ITestOutputHelper output)
{
    private const double Factor = 3;

    /// <summary><paramref name="count"/> measurements of target <c>board</c>, each as a <c>decoy</c> and a <c>real</c> sample;
    /// <paramref name="labelFromDecoy"/> says, per measurement, whether the decoy graph's law gives its label (default: the real one).</summary>
    private static List<TrainingSample> Variants(int count, int seed, Func<int, bool>? labelFromDecoy = null)
    {
        List<TrainingSample> real = SyntheticGraphs.Samples(count, seed);
        List<TrainingSample> decoy = SyntheticGraphs.Samples(count, seed + 1000);
        var samples = new List<TrainingSample>();
        for (int i = 0; i < count; i++)
        {
            GraphFeatures law = labelFromDecoy?.Invoke(i) == true ? decoy[i].Features : real[i].Features;
            var labels = new Dictionary<(string, Metric), double> { [("board", Metric.LatencyMs)] = Factor * SyntheticGraphs.LatencyMs(law) };
            string id = $"arch{i}";
            samples.Add(new TrainingSample(id + "-decoy", decoy[i].Features, labels, Split.Train) { GraphVariant = "decoy", MeasurementId = id });
            samples.Add(new TrainingSample(id + "-real", real[i].Features, labels, Split.Train) { GraphVariant = "real", MeasurementId = id });
        }
        return samples;
    }

    private static FewShotOptions Options(int repeats) => new() { Ks = [20], Repeats = repeats, Seed = 7, Fit = new HeadFitOptions { Threads = 2 } };

    [Fact]
    public void Each_draw_picks_the_variant_whose_graphs_made_the_labels_and_scores_on_it()
    {
        List<TrainingSample> samples = Variants(120, seed: 41);
        FewShotResult result = FewShot.Run(TestModels.Chains, samples, new HeadKey("board", Metric.LatencyMs), Options(3));

        // One item per measurement, not per graph.
        Assert.Equal(120, result.Actual.Count);
        Assert.Equal("arch0", result.Ids[0]);
        Assert.All(result.Draws, d =>
        {
            Assert.Equal("real", d.Graph!.Graph);
            Assert.Equal(GraphChooser.Folds, d.Graph.Folds);
            GraphVariantScore real = d.Graph.Scores.Single(s => s.Graph == "real");
            GraphVariantScore decoy = d.Graph.Scores.Single(s => s.Graph == "decoy");
            // Cross-validated on the 20 drawn measurements only.
            Assert.Equal((20, 20), (real.Graphs, decoy.Graphs));
            Assert.True(real.CvLogError < decoy.CvLogError, d.Graph.Describe());
            Assert.Equal(100, d.Test.Length);
        });
        FewShotSummary chosen = FewShot.Summarise(result).Single();

        // The same draws forced onto the decoy graphs (what a user gets who picks the wrong graph by hand).
        FewShotResult forced = FewShot.Run(TestModels.Chains, [.. samples.Where(s => s.GraphVariant == "decoy")],
            new HeadKey("board", Metric.LatencyMs), Options(3));
        FewShotSummary wrong = FewShot.Summarise(forced).Single();
        output.WriteLine($"chosen: Spearman {chosen.Spearman:F3}, MAPE {chosen.MapePercent:F1} %; decoy forced: Spearman {wrong.Spearman:F3}, MAPE {wrong.MapePercent:F1} %");
        Assert.All(forced.Draws, d => Assert.Equal("decoy", d.Graph!.Graph));
        Assert.All(forced.Draws, d => Assert.Equal(0, d.Graph!.Folds));
        // The labels are a law of the real graphs: ranked well from them, barely from unrelated ones.
        Assert.True(chosen.Spearman > 0.9, $"{chosen.Spearman}");
        Assert.True(wrong.Spearman < 0.5, $"{wrong.Spearman}");
    }

    [Fact]
    public void The_choice_reads_only_the_k_training_labels()
    {
        const int n = 120;
        // The draw of (seed 7, k 20, repeat 0): its 20 measurements are labelled by the real graphs' law, all the others by
        // the decoys'. A choice that looked at the scored labels would pick decoy.
        int[] order = FewShot.Draw(n, 7, 20, 0);
        var drawn = new HashSet<int>(order[..20]);
        List<TrainingSample> samples = Variants(n, seed: 43, i => !drawn.Contains(i));
        FewShotResult result = FewShot.Run(TestModels.Chains, samples, new HeadKey("board", Metric.LatencyMs), Options(1));
        FewShotDraw d = Assert.Single(result.Draws);
        Assert.Equal(order[..20].Order(), d.Train.Order());
        Assert.Equal("real", d.Graph!.Graph);
    }

    [Fact]
    public void A_new_target_head_records_its_graph_and_counts_measurements_not_graphs()
    {
        List<TrainingSample> samples = Variants(40, seed: 45);
        using TrainedModel model = HeadFitter.AddHeads(TestModels.Chains, samples, "board", new HeadFitOptions { Threads = 2 });
        HeadManifest head = model.Manifest.Heads.Single(h => h.Target == "board");
        Assert.Equal("real", head.Graph);
        Assert.StartsWith("real (5-fold mean |ln ratio| ", head.GraphChoice, StringComparison.Ordinal);
        Assert.Contains("decoy ", head.GraphChoice, StringComparison.Ordinal);
        // Fitted on the 40 real graphs; the manifest counts 40 labelled measurements.
        Assert.Equal(40, head.TrainCount);
        Assert.Equal(40, model.Manifest.Data.SamplesPerTarget["board"]);

        // One variant given (--graph): recorded as given, not chosen.
        using TrainedModel forced = HeadFitter.AddHeads(TestModels.Chains, [.. samples.Where(s => s.GraphVariant == "decoy")], "board",
            new HeadFitOptions { Threads = 2 });
        HeadManifest given = forced.Manifest.Heads.Single(h => h.Target == "board");
        Assert.Equal(("decoy", "decoy (the only variant given)"), (given.Graph, given.GraphChoice));
    }
}
