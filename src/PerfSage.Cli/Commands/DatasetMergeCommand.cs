using System.CommandLine;
using PerfSage.Dataset;

namespace PerfSage.Cli.Commands;

/// <summary><c>perfsage dataset merge --out DIR SHARD_DIR…</c>: joins the shards of one build.</summary>
internal static class DatasetMergeCommand
{
    public static Command Create(CliContext context)
    {
        var output = new Option<string>("--out", "-o") { Description = "The merged dataset folder.", Required = true };
        var shards = new Argument<string[]>("shards") { Description = "Shard folders made with `dataset build --shard i/n`.", Arity = ArgumentArity.OneOrMore };
        Option<int> jobs = DatasetCommand.JobsOption();
        var command = new Command("merge", "Join shard folders of one build (same space, seed, count, targets) into one dataset.")
        {
            output, shards, jobs,
        };
        command.SetAction(parse => PerfSageApp.Execute(context, parse, () =>
        {
            int threads = DatasetCommand.Jobs(parse, jobs);
            string dir = parse.GetValue(output)!;
            OutputPaths.CheckFolder(dir, "--out");
            string[] sources = parse.GetValue(shards) ?? [];
            context.Log.Information("Merging {Count} shard folders into {Dir}", sources.Length, dir);
            BuildResult result = DatasetProgress.Run(context, "merge", (progress, cancel) =>
                DatasetBuilder.Merge(dir, sources, new BuildOptions { Jobs = threads, Progress = progress }, cancel));
            DatasetCommand.WriteSummary(context, "merged", result);
            return ExitCodes.Ok;
        }));
        return command;
    }
}
