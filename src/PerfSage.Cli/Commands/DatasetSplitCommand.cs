using System.CommandLine;
using System.Globalization;
using PerfSage.Dataset;

namespace PerfSage.Cli.Commands;

/// <summary><c>perfsage dataset split DIR [--by hash|family] [--val 0.1] [--test 0.1] [--seed K]</c>.</summary>
internal static class DatasetSplitCommand
{
    private static readonly string[] SplitNames = ["train", "val", "test"];

    public static Command Create(CliContext context)
    {
        var dir = new Argument<string>("dir") { Description = "A dataset folder." };
        var by = new Option<string>("--by") { Description = "hash (each model by a hash of its id) or family (whole families).", DefaultValueFactory = _ => "hash" };
        by.AcceptOnlyFromAmong("hash", "family");
        var val = new Option<double>("--val") { Description = "Validation fraction.", DefaultValueFactory = _ => 0.1 };
        var test = new Option<double>("--test") { Description = "Test fraction.", DefaultValueFactory = _ => 0.1 };
        var seed = new Option<ulong>("--seed") { Description = "Split seed.", DefaultValueFactory = _ => 0UL };
        var command = new Command("split", "Assign every model to train, val or test (writes splits.csv, records it in dataset.json).")
        {
            dir, by, val, test, seed,
        };
        command.SetAction(parse => PerfSageApp.Execute(context, parse, () =>
        {
            var settings = new SplitSettings
            {
                By = parse.GetValue(by) == "family" ? SplitBy.Family : SplitBy.Hash,
                Val = parse.GetValue(val),
                Test = parse.GetValue(test),
                Seed = parse.GetValue(seed),
            };
            string path = parse.GetValue(dir)!;
            SplitInfo info = DatasetSplitter.Split(path, settings);
            string counts = string.Join(", ", SplitNames.Select(s =>
                $"{s} {info.Counts.GetValueOrDefault(s).ToString(CultureInfo.InvariantCulture)}"));
            context.Stdout.WriteLine($"split {path} by {info.By} (seed {info.Seed}): {counts}");
            if (info.Counts.GetValueOrDefault("train") == 0 || (settings.Val > 0 && info.Counts.GetValueOrDefault("val") == 0)
                || (settings.Test > 0 && info.Counts.GetValueOrDefault("test") == 0))
            {
                context.Log.Warning("A split is empty: with --by family there may be too few families for the fractions asked");
            }
            return ExitCodes.Ok;
        }));
        return command;
    }
}
