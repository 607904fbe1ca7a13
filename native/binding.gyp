{
  "targets": [
    {
      "target_name": "copy_scan",
      "sources": ["copy_scan.c"],
      "cflags": ["-O3", "-std=c11", "-Wall", "-Wextra"]
    }
  ]
}
