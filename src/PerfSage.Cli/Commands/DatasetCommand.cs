using System.CommandLine;
using PerfSage.Dataset;

namespace PerfSage.Cli.Commands;

/// <summary><c>perfsage dataset …</c>: build, merge, import, import-nb201, import-fbnet and split training datasets
/// (docs/DATASETS.md).</summary>
internal static class DatasetCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("dataset", "Make training data: build from search spaces, import measurements, merge shards, split.");
        command.Subcommands.Add(DatasetBuildCommand.Create(context));
        command.Subcommands.Add(DatasetMergeCommand.Create(context));
        command.Subcommands.Add(DatasetImportCommand.Create(context));
        command.Subcommands.Add(DatasetImportNb201Command.Create(context));
        command.Subcommands.Add(DatasetImportFbnetCommand.Create(context));
        command.Subcommands.Add(DatasetSplitCommand.Create(context));
        return command;
    }

    /// <summary>The <c>--weights random|none</c> option of the commands that write graph files.</summary>
    internal static Option<string> WeightsOption(string defaultValue)
    {
        var option = new Option<string>("--weights")
        {
            Description = "random: graph files carry seeded random weights (they can be run); none: weights keep their shapes and types but no data "
                + "(weightless files, marked in their metadata and in dataset.json: same graphs, labels and features, a fraction of the disk).",
            DefaultValueFactory = _ => defaultValue,
        };
        option.AcceptOnlyFromAmong("random", "none");
        return option;
    }

    /// <summary>The <c>--jobs</c> option shared by the parallel commands.</summary>
    internal static Option<int> JobsOption() => new("--jobs", "-j")
    {
        Description = "Worker threads (default: the number of processors).",
        DefaultValueFactory = _ => Environment.ProcessorCount,
    };

    internal static int Jobs(ParseResult parse, Option<int> option)
    {
        int jobs = parse.GetValue(option);
        if (jobs < 1)
        {
            throw new UserInputException($"--jobs {jobs}: must be at least 1");
        }
        return jobs;
    }

    internal static string Rate(BuildResult r) =>
        r.Built == 0 || r.Elapsed.TotalSeconds <= 0 ? "" : Output.Num(r.Built / r.Elapsed.TotalSeconds, 1) + " models/s, ";

    internal static void WriteSummary(CliContext context, string what, BuildResult r) =>
        context.Stdout.WriteLine(
            $"{what} {r.Directory}: {r.Models} models ({r.Built} built, {r.Resumed} already done), {r.Labels} labels " +
            $"({Rate(r)}{Output.Num(r.Elapsed.TotalSeconds, 1)} s)");
}
