"""Image data: ImageFolder layouts and tables of image paths, read into pixels and properties."""
