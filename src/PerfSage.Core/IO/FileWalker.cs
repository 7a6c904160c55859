namespace PerfSage.IO;

/// <summary>The files a walk found and the folder links it did not follow.</summary>
/// <param name="Files">Matching files, in ordinal order of their paths within each folder.</param>
/// <param name="SkippedFolderLinks">Links to folders that were not followed (they can form cycles).</param>
public sealed record FileWalk(IReadOnlyList<string> Files, IReadOnlyList<string> SkippedFolderLinks);

/// <summary>
/// Lists the files under a folder without ever following a link to a folder: a link to its own parent would
/// otherwise make the walk endless. Links to files are followed (they are listed under the link's name). A folder
/// met twice under two names (a bind mount) is walked once.
/// </summary>
public static class FileWalker
{
    /// <summary>Walks <paramref name="root"/> and returns the files for which <paramref name="include"/> is true.</summary>
    /// <param name="root">The folder to walk.</param>
    /// <param name="include">Takes the file's path; true keeps it.</param>
    /// <param name="recurse">Whether to go into sub-folders.</param>
    public static FileWalk Walk(string root, Func<string, bool> include, bool recurse = true)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(include);
        var files = new List<string>();
        var skipped = new List<string>();
        var seen = new HashSet<(ulong, ulong)>();
        var pending = new Stack<string>();
        pending.Push(root);
        var options = new EnumerationOptions { RecurseSubdirectories = false, IgnoreInaccessible = true, AttributesToSkip = 0, ReturnSpecialDirectories = false };
        while (pending.Count > 0)
        {
            string folder = pending.Pop();
            FileStatus folderStatus = FileProbe.Stat(folder, followLinks: true);
            if (folderStatus.HasIdentity && !seen.Add((folderStatus.Device, folderStatus.Inode)))
            {
                continue;
            }
            var entries = new List<FileSystemInfo>(new DirectoryInfo(folder).EnumerateFileSystemInfos("*", options));
            entries.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            var subfolders = new List<string>();
            foreach (FileSystemInfo entry in entries)
            {
                string path = Path.Combine(folder, entry.Name);
                FileStatus own = FileProbe.Stat(path, followLinks: false);
                if (own.Kind == FileKind.SymbolicLink)
                {
                    FileStatus target = FileProbe.Stat(path, followLinks: true);
                    if (target.Kind == FileKind.Directory)
                    {
                        skipped.Add(path);
                    }
                    else if (include(path))
                    {
                        files.Add(path);
                    }
                    continue;
                }
                if (own.Kind == FileKind.Directory)
                {
                    if (recurse)
                    {
                        subfolders.Add(path);
                    }
                    continue;
                }
                if (include(path))
                {
                    files.Add(path);
                }
            }
            // Push in reverse so that sub-folders are walked in ordinal order.
            for (int i = subfolders.Count - 1; i >= 0; i--)
            {
                pending.Push(subfolders[i]);
            }
        }
        return new FileWalk(files, skipped);
    }
}
