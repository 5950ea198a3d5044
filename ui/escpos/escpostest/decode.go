// Package escpostest reads an ESC/POS job back, for tests: the raster
// images it prints, stacked as the paper shows them, and whether it
// initialises the printer and cuts the paper.
package escpostest

import (
	"fmt"
	"image"
	"image/color"
)

// Job is what a job prints.
type Job struct {
	Init bool        // starts with ESC @
	Cut  bool        // ends with a GS V cut
	Feed int         // lines fed by ESC d before the cut
	Page *image.Gray // the GS v 0 bands one under the other; black is a dot
}

// Decode parses one job. It knows the commands escpos writes and refuses
// anything else, naming the byte's offset.
func Decode(b []byte) (*Job, error) {
	j := &Job{}
	var bands []*image.Gray
	for i := 0; i < len(b); {
		switch {
		case i == 0 && len(b) >= 2 && b[0] == 0x1b && b[1] == '@':
			j.Init = true
			i += 2
		case b[i] == 0x1d && i+1 < len(b) && b[i+1] == 'v':
			if i+8 > len(b) || b[i+2] != '0' {
				return nil, fmt.Errorf("offset %d: a GS v command that is not GS v 0 with its size", i)
			}
			if m := b[i+3]; m != 0 && m != 48 {
				return nil, fmt.Errorf("offset %d: GS v 0 in mode %d, not normal size", i, m)
			}
			xb := int(b[i+4]) | int(b[i+5])<<8
			rows := int(b[i+6]) | int(b[i+7])<<8
			i += 8
			if i+xb*rows > len(b) {
				return nil, fmt.Errorf("offset %d: GS v 0 of %d×%d bytes runs past the end (%d left)", i, xb, rows, len(b)-i)
			}
			band := image.NewGray(image.Rect(0, 0, xb*8, rows))
			for y := 0; y < rows; y++ {
				for x := 0; x < xb*8; x++ {
					c := color.Gray{Y: 0xff}
					if b[i+y*xb+x/8]&(0x80>>(x%8)) != 0 {
						c.Y = 0
					}
					band.SetGray(x, y, c)
				}
			}
			i += xb * rows
			bands = append(bands, band)
		case b[i] == 0x1b && i+2 < len(b) && b[i+1] == 'd':
			j.Feed += int(b[i+2])
			i += 3
		case b[i] == 0x1d && i+2 < len(b) && b[i+1] == 'V':
			if i+3 != len(b) {
				return nil, fmt.Errorf("offset %d: the cut is not the job's last command", i)
			}
			j.Cut = true
			i += 3
		default:
			return nil, fmt.Errorf("offset %d: byte 0x%02x starts no command this decoder knows", i, b[i])
		}
	}
	if len(bands) == 0 {
		return nil, fmt.Errorf("no GS v 0 image in %d bytes", len(b))
	}
	w, h := 0, 0
	for _, band := range bands {
		if band.Rect.Dx() != bands[0].Rect.Dx() {
			return nil, fmt.Errorf("bands of different widths: %d and %d dots", bands[0].Rect.Dx(), band.Rect.Dx())
		}
		w, h = band.Rect.Dx(), h+band.Rect.Dy()
	}
	j.Page = image.NewGray(image.Rect(0, 0, w, h))
	y := 0
	for _, band := range bands {
		for r := 0; r < band.Rect.Dy(); r++ {
			copy(j.Page.Pix[(y+r)*j.Page.Stride:(y+r)*j.Page.Stride+w], band.Pix[r*band.Stride:r*band.Stride+w])
		}
		y += band.Rect.Dy()
	}
	return j, nil
}

// Jobs splits a file holding several jobs one after another (each from
// ESC @ to its cut) and decodes each.
func Jobs(b []byte) ([]*Job, error) {
	var jobs []*Job
	for start := 0; start < len(b); {
		end := -1
		for i := start; i+2 < len(b); {
			if b[i] == 0x1d && b[i+1] == 'v' && i+8 <= len(b) {
				xb := int(b[i+4]) | int(b[i+5])<<8
				rows := int(b[i+6]) | int(b[i+7])<<8
				i += 8 + xb*rows
				continue
			}
			if b[i] == 0x1d && b[i+1] == 'V' {
				end = i + 3
				break
			}
			i++
		}
		if end < 0 {
			return nil, fmt.Errorf("offset %d: a job without a cut", start)
		}
		j, err := Decode(b[start:end])
		if err != nil {
			return nil, fmt.Errorf("job %d: %w", len(jobs)+1, err)
		}
		jobs = append(jobs, j)
		start = end
	}
	return jobs, nil
}
